<#
.SYNOPSIS
  Test-signs the wavert-bench WaveRT test driver: makes (or reuses) a self-signed code-signing
  certificate, trusts it on this machine, signs wavert_test.sys, creates wavert_test.cat with
  Inf2Cat and signs it. For test machines only (see docs/windows-runbook.md).

.DESCRIPTION
  Run from an elevated PowerShell on the test machine, with the Windows Driver Kit installed
  (Inf2Cat.exe and signtool.exe come with it). The directory must hold wavert_test.sys and
  wavert_test.inf as `deno task build:windows` wrote them (ffi/native/build/windows/).

  NOT YET RUN ON WINDOWS: this project has no Windows machine; written from Microsoft's
  documentation of New-SelfSignedCertificate, Inf2Cat and SignTool.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File ffi\native\windows_driver\sign.ps1
#>
param(
  [string]$Directory = (Join-Path $PSScriptRoot "..\build\windows"),
  [string]$Subject = "CN=wavert-bench test signing (test machines only)"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw "run this from an elevated PowerShell: the certificate goes to the LocalMachine stores"
}

# The newest x64 Inf2Cat/signtool of the installed kits.
function Find-KitTool([string]$Name) {
  $roots = @("${env:ProgramFiles(x86)}\Windows Kits\10\bin", "${env:ProgramFiles}\Windows Kits\10\bin")
  $found = $roots | Where-Object { Test-Path $_ } |
    ForEach-Object { Get-ChildItem -Path $_ -Recurse -Filter $Name -ErrorAction SilentlyContinue } |
    Where-Object { $_.FullName -match '\\(x64|x86)\\' } |
    Sort-Object FullName -Descending | Select-Object -First 1
  if ($null -eq $found) { throw "$Name not found: install the Windows Driver Kit" }
  return $found.FullName
}
$signtool = Find-KitTool "signtool.exe"
$inf2cat = Find-KitTool "Inf2Cat.exe"

$Directory = (Resolve-Path $Directory).Path
$sys = Join-Path $Directory "wavert_test.sys"
$inf = Join-Path $Directory "wavert_test.inf"
$cat = Join-Path $Directory "wavert_test.cat"
foreach ($file in @($sys, $inf)) {
  if (-not (Test-Path $file)) { throw "$file is missing: run 'deno task build:windows' first" }
}

# 1. The certificate: reused when one with this subject exists, else made (SHA-256, 2 years).
$cert = Get-ChildItem Cert:\LocalMachine\My | Where-Object { $_.Subject -eq $Subject } |
  Select-Object -First 1
if ($null -eq $cert) {
  $cert = New-SelfSignedCertificate -Type CodeSigningCert -Subject $Subject `
    -CertStoreLocation Cert:\LocalMachine\My -KeyAlgorithm RSA -KeyLength 2048 `
    -HashAlgorithm SHA256 -NotAfter (Get-Date).AddYears(2)
}
# 2. Trusted as a root and as a publisher, so test-signing mode loads what it signs.
$cer = Join-Path $Directory "wavert_test.cer"
Export-Certificate -Cert $cert -FilePath $cer | Out-Null
Import-Certificate -FilePath $cer -CertStoreLocation Cert:\LocalMachine\Root | Out-Null
Import-Certificate -FilePath $cer -CertStoreLocation Cert:\LocalMachine\TrustedPublisher | Out-Null

function Invoke-Tool([string]$Tool, [string[]]$Arguments) {
  & $Tool @Arguments
  if ($LASTEXITCODE -ne 0) { throw "$Tool $($Arguments -join ' ') failed ($LASTEXITCODE)" }
}
# 3. The driver image, 4. its catalog (from the INF), 5. the catalog; then check both.
$sign = @("sign", "/fd", "sha256", "/sm", "/s", "My", "/sha1", $cert.Thumbprint)
Invoke-Tool $signtool ($sign + @($sys))
if (Test-Path $cat) { Remove-Item $cat }
Invoke-Tool $inf2cat @("/driver:$Directory", "/os:10_X64")
Invoke-Tool $signtool ($sign + @($cat))
Invoke-Tool $signtool @("verify", "/pa", "/v", "/c", $cat, $sys)
Write-Host "signed $sys and $cat with $($cert.Subject) ($($cert.Thumbprint))"
