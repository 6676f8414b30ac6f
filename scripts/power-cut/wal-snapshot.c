/*
 * LD_PRELOAD shim for scripts/crash-test.mjs --power-cut: after every successful fsync or fdatasync of a SQLite
 * WAL file (a path ending in "-wal"), copies the whole file to $CRASH_TEST_WAL_COPY. That copy is the WAL as
 * the disk held it at its last flush: what a power cut would leave. The test puts it back in place of the WAL
 * after each SIGKILL, so every commit that was not flushed is lost, as the power would lose it.
 *
 *   cc -shared -fPIC -O2 -o wal-snapshot.so wal-snapshot.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

static void snapshot(int fd) {
  const char *dest = getenv("CRASH_TEST_WAL_COPY");
  if (dest == NULL) return;
  char link[64];
  char path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 4) return;
  path[n] = '\0';
  if (strcmp(path + n - 4, "-wal") != 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", dest, (int)getpid());
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0) return;
  off_t offset = 0;
  while (offset < st.st_size) {
    /* With an offset given, sendfile reads from there and leaves the WAL's own file position alone. */
    ssize_t sent = sendfile(out, fd, &offset, (size_t)(st.st_size - offset));
    if (sent <= 0) break;
  }
  close(out);
  rename(tmp, dest);
}

int fsync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int result = real(fd);
  if (result == 0) snapshot(fd);
  return result;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int result = real(fd);
  if (result == 0) snapshot(fd);
  return result;
}
