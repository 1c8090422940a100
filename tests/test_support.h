/* test_support — small helpers shared by unit tests, integration tests and benchmarks. */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>

/* rm -rf without following symlinks; 0 / -1. */
static inline int test_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char child[4096];
        if (snprintf(child, sizeof child, "%s/%s", path, entry->d_name) >= (int)sizeof child || test_rmtree(child))
            rc = -1;
    }
    closedir(dir);
    return rmdir(path) == 0 ? rc : -1;
}

/* 1 when port can be bound on loopback right now. */
static inline int test_port_bindable(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    int ok = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

/* A loopback port nobody listens on right now; -1 on error. Chosen at random below the kernel's
 * ephemeral range (net.ipv4.ip_local_port_range), where the kernel never hands out the source
 * ports of outgoing connections: a port picked from inside that range (the kernel's choice for
 * port 0) can be taken by any client's connection — a browser's, curl's — before the service
 * binds it. */
static inline int test_free_port(void)
{
    static unsigned state;
    int low = 32768;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d", &low) != 1)
            low = 32768;
        fclose(f);
    }
    if (!state) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = (unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_nsec;
    }
    const int base = 10000;
    for (int attempt = 0; low - base >= 1000 && attempt < 64; attempt++) {
        state = state * 1103515245u + 12345u;
        int port = base + (int)((state >> 8) % (unsigned)(low - base));
        if (test_port_bindable(port))
            return port;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

#endif
