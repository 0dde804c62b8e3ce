/*
 * bcryptprimitives.dll for Wine, for the Windows check only (scripts/wine-check.sh); never shipped.
 *
 * Go 1.24 and later take their random numbers from ProcessPrng in bcryptprimitives.dll, which
 * Windows 10 and later have and Wine 8.0 (Debian 12) lacks: without it the .exe dies before main.
 * This DLL exports ProcessPrng on top of RtlGenRandom (advapi32's SystemFunction036), which Wine
 * has and which reads the same system random source.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll prng-shim.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

/* ProcessPrng never fails on Windows and always returns TRUE; RtlGenRandom takes a ULONG, so
 * large requests go in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
