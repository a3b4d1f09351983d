/*
 * The kernel-mode types, macros and routines a WaveRT miniport's stream buffer code uses, declared
 * for Linux (g++/clang, x86_64 or aarch64) from Microsoft's public DDI reference (wdm.h and
 * ntdef.h pages: basic types, NTSTATUS values, LARGE_INTEGER, MDL, MmGetMdl* macros,
 * MEMORY_CACHING_TYPE, ExAllocatePool2, ExAllocatePoolWithTag, ExFreePoolWithTag, KeGetCurrentIrql,
 * KeRaiseIrql, KeLowerIrql, PAGED_CODE, DbgPrint). Nothing here is copied from the WDK.
 *
 * Sizes follow Windows (LLP64), not Linux (LP64): ULONG and LONG are 32 bits, pointers and
 * ULONG_PTR 64. The routines are implemented by the harness shim (ffi/driver/native/), which tracks
 * every pool block and the IRQL, so a driver built against these headers runs under the simulator.
 */
#ifndef WRT_WDM_H
#define WRT_WDM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Driver sources carry MSVC-only pragmas (code_seg, warning) and four-character pool tags
 * ('TRWM'): both are normal in Windows drivers and harmless here, so neither is warned about.
 * GCC warns about multi-character constants while lexing, before any pragma applies: build
 * driver sources with -Wno-multichar (ffi/driver/build_driver.ts does). */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wmultichar"
#endif

#ifdef __cplusplus
#define WRT_EXTERN_C extern "C"
#define WRT_EXTERN_C_BEGIN extern "C" {
#define WRT_EXTERN_C_END }
#else
#define WRT_EXTERN_C extern
#define WRT_EXTERN_C_BEGIN
#define WRT_EXTERN_C_END
#endif

/* ---- basic types (ntdef.h) ---- */
typedef void VOID;
typedef void *PVOID;
typedef char CHAR, *PCHAR;
typedef uint8_t UCHAR, *PUCHAR;
typedef int16_t SHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT;
typedef uint16_t WCHAR, *PWCHAR;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG, ULONG64, DWORD64;
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef const char *PCSTR;
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

typedef union _LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  };
  struct {
    ULONG LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

/* ---- calling conventions and annotations: no meaning on x86_64/aarch64 Linux ---- */
#define NTAPI
#define NTSYSAPI
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define FORCEINLINE static inline
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define _In_
#define _In_opt_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Inout_
#define _Inout_opt_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Must_inspect_result_
#define _Use_decl_annotations_
#define _Success_(expr)
#define _When_(expr, annotation)
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _Post_writable_byte_size_(n)
#define _Post_maybenull_
#define _Ret_maybenull_
#define _Pre_satisfies_(expr)
#define _Frees_ptr_(p)
#define _Frees_ptr_opt_
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)

/* ---- NTSTATUS (ntstatus.h values) ---- */
typedef LONG NTSTATUS;
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_NOT_READY ((NTSTATUS)0xC00000A3L)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_BUFFER_SIZE ((NTSTATUS)0xC0000206L)

/* ---- pages ---- */
#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~((ULONG_PTR)PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~((ULONG_PTR)PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) \
  (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
  ((ULONG)((((ULONG_PTR)BYTE_OFFSET(Va)) + ((SIZE_T)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT))

/* ---- MDL: wdm.h's header, then one PFN_NUMBER per page ---- */
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;
struct _EPROCESS;
typedef struct _MDL {
  struct _MDL *Next;
  CSHORT Size;
  CSHORT MdlFlags;
  struct _EPROCESS *Process;
  PVOID MappedSystemVa;
  PVOID StartVa;
  ULONG ByteCount;
  ULONG ByteOffset;
} MDL, *PMDL;

#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ 0x0040
#define MDL_WRITE_OPERATION 0x0080
#define MDL_LOCKED_PAGE_TABLES 0x0100
#define MDL_FREE_EXTRA_PTES 0x0200
#define MDL_DESCRIBES_AWE 0x0400
#define MDL_IO_SPACE 0x0800
#define MDL_NETWORK_HEADER 0x1000
#define MDL_MAPPING_CAN_FAIL 0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_INTERNAL 0x8000

#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))

typedef enum _MEMORY_CACHING_TYPE {
  MmNonCached = 0,
  MmCached = 1,
  MmWriteCombined = 2,
  MmHardwareCoherentCached = 3,
  MmNonCachedUnordered = 4,
  MmUSWCCached = 5,
  MmMaximumCacheType = 6,
  MmNotMapped = -1
} MEMORY_CACHING_TYPE;

/* ---- IRQL ---- */
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define HIGH_LEVEL 15

/* ---- pool ---- */
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
typedef enum _POOL_TYPE {
  NonPagedPool = 0,
  NonPagedPoolExecute = 0,
  PagedPool = 1,
  NonPagedPoolMustSucceed = 2,
  NonPagedPoolCacheAligned = 4,
  PagedPoolCacheAligned = 5,
  NonPagedPoolNx = 512
} POOL_TYPE;

WRT_EXTERN_C_BEGIN

/* Pool: ExAllocatePool2 zeroes unless POOL_FLAG_UNINITIALIZED; ExAllocatePoolWithTag does not.
 * Every block is tracked (owner call, tag, call site); a leak, a double free, a foreign pointer or
 * a tag mismatch is reported. */
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID ExFreePool(PVOID P);

/* IRQL as the harness tracks it: every IPortWaveRTStream call reports it to the simulator. */
KIRQL KeGetCurrentIrql(void);
VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
VOID KeLowerIrql(KIRQL NewIrql);
VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);

/* Raises the harness's bug check (the case stops here) when called above APC_LEVEL. */
VOID WrtPagedCodeCheck(void);

/* Collected into the case's log (and echoed to stderr when WRT_DRIVER_ECHO_LOG is set). */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));

WRT_EXTERN_C_END

#define PAGED_CODE() WrtPagedCodeCheck()
#define DPF(Level, Args) ((void)(Level), (void)DbgPrint Args)
#define DPF_ENTER(Args) ((void)DbgPrint Args)

#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))

/* Layout checks: the MDL header must be wdm.h's on a 64-bit target. */
#ifdef __cplusplus
#define WRT_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define WRT_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
WRT_STATIC_ASSERT(sizeof(ULONG) == 4 && sizeof(LONG) == 4, "ULONG and LONG are 32 bits");
WRT_STATIC_ASSERT(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 8 bytes");
WRT_STATIC_ASSERT(sizeof(PVOID) == 8, "a 64-bit target");
WRT_STATIC_ASSERT(offsetof(MDL, Size) == 8 && offsetof(MDL, MdlFlags) == 10, "MDL.Size, MdlFlags");
WRT_STATIC_ASSERT(offsetof(MDL, MappedSystemVa) == 24 && offsetof(MDL, StartVa) == 32,
                  "MDL.MappedSystemVa, StartVa");
WRT_STATIC_ASSERT(offsetof(MDL, ByteCount) == 40 && offsetof(MDL, ByteOffset) == 44,
                  "MDL.ByteCount, ByteOffset");
WRT_STATIC_ASSERT(sizeof(MDL) == 48, "MDL header is 48 bytes, the PFN array follows");

#endif /* WRT_WDM_H */
