/*
 * IPortWaveRTStream's methods as Microsoft's DDI reference lists them (portcls.h), in vtable
 * order, written once for both declarations of the interface: the driver harness's
 * (ffi/driver/include/wrt_portcls.h: a C++ class and a C vtable, on Linux with Windows-sized
 * types) and the WaveRT test driver's (windows_driver/portcls_min.h: a C vtable against
 * mingw-w64's ntddk.h). Only a macro: the includer has declared the types it names.
 *
 * WRT_IPORTWAVERTSTREAM_METHODS(METHOD) expands METHOD(ReturnType, Name, Parameters...) for each
 * method after IUnknown's three, up to GetPhysicalPagesCount. The last one,
 * GetPhysicalPageAddress, each declaration spells out itself: it returns the PHYSICAL_ADDRESS
 * union, which MSVC's C++ ABI (the real PortCls) passes back through a hidden pointer and the
 * Itanium ABI (the harness's port, built by g++ or clang++) in a register, so its C slot differs.
 *
 * ffi/native/msvc_abi/portcls_cxx.h declares the interface again on purpose, independently from
 * the same reference: the ABI test checks this list against it.
 */
#ifndef WRT_PORT_WAVERT_STREAM_H
#define WRT_PORT_WAVERT_STREAM_H

#define WRT_IPORTWAVERTSTREAM_METHODS(METHOD)                                                      \
  METHOD(PMDL, AllocatePagesForMdl, PHYSICAL_ADDRESS HighAddress, SIZE_T TotalBytes)               \
  METHOD(PMDL, AllocateContiguousPagesForMdl, PHYSICAL_ADDRESS LowAddress,                         \
         PHYSICAL_ADDRESS HighAddress, SIZE_T TotalBytes)                                          \
  METHOD(PVOID, MapAllocatedPages, PMDL MemoryDescriptorList, MEMORY_CACHING_TYPE CacheType)       \
  METHOD(VOID, UnmapAllocatedPages, PVOID BaseAddress, PMDL MemoryDescriptorList)                  \
  METHOD(VOID, FreePagesFromMdl, PMDL MemoryDescriptorList)                                        \
  METHOD(ULONG, GetPhysicalPagesCount, PMDL MemoryDescriptorList)

/* A slot of a C vtable whose object type is IPortWaveRTStream: `This` first. */
#define WRT_IPORTWAVERTSTREAM_C_SLOT(type, name, ...) \
  type (*name)(IPortWaveRTStream *This, __VA_ARGS__);

#endif /* WRT_PORT_WAVERT_STREAM_H */
