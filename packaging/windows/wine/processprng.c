/* A bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it: Go >= 1.24
 * programs get their random bytes from ProcessPrng and stop at start
 * ("bcryptprimitives.dll not found") without it. Only for running the
 * Windows build under Wine in CI (packaging/installtest); never shipped.
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll processprng.c processprng.def -ladvapi32
 * The Go runtime loads it only from system32 of the Wine prefix. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: feed it in chunks. */
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
