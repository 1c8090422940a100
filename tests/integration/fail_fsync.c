/* fail_fsync — a preloaded shim for fault injection: while the file named by OCOP_FAIL_FSYNC
 * exists, fsync, fdatasync and msync fail with EIO (as a disk that lost a write reports it);
 * otherwise they are libc's. Built as a shared library; a test starts a service with
 * LD_PRELOAD pointing at it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int s_failing(void)
{
    const char *when = getenv("OCOP_FAIL_FSYNC");
    return when && *when && access(when, F_OK) == 0;
}

int fsync(int fd)
{
    if (s_failing()) {
        errno = EIO;
        return -1;
    }
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return real ? real(fd) : -1;
}

int fdatasync(int fd)
{
    if (s_failing()) {
        errno = EIO;
        return -1;
    }
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return real ? real(fd) : -1;
}

int msync(void *addr, size_t len, int flags)
{
    if (s_failing()) {
        errno = EIO;
        return -1;
    }
    int (*real)(void *, size_t, int) = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "msync");
    return real ? real(addr, len, flags) : -1;
}
