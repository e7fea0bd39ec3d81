#include "CLibGit2.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

static mlrepro_libgit2 table;

/*
 * Where a distributed mlrepro keeps its own copy of libgit2 and the libraries it needs: the
 * folder `lib/mlrepro` beside the folder of the binary (`<prefix>/bin/mlrepro` and
 * `<prefix>/lib/mlrepro/`), found from the running executable itself (`/proc/self/exe`, which
 * resolves the links pipx and package managers put on PATH), never from PATH or the working
 * directory. False when the executable's path cannot be read or does not fit.
 */
static int bundled_library_path(const char *library, char *path, size_t size) {
    char executable[PATH_MAX];
#ifdef __APPLE__
    char unresolved[PATH_MAX];
    uint32_t length = sizeof unresolved;
    if (_NSGetExecutablePath(unresolved, &length) != 0 || realpath(unresolved, executable) == NULL) return 0;
#else
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0) return 0;
    executable[length] = '\0';
#endif
    char *slash = strrchr(executable, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    slash = strrchr(executable, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    int written = snprintf(path, size, "%s/lib/mlrepro/%s", executable, library);
    return written > 0 && (size_t)written < size;
}

/*
 * Opens libgit2: for a bare name, the bundled copy first when there is one (a distributed
 * binary must not pick up an older or differently built system libgit2), then the name as the
 * dynamic loader finds it; a path is opened as given.
 */
static void *open_library(const char *library, char *error, size_t size) {
    char bundled[PATH_MAX + 64];
    const char *bundledReason = NULL;
    if (strchr(library, '/') == NULL && bundled_library_path(library, bundled, sizeof bundled)
        && access(bundled, F_OK) == 0) {
        void *handle = dlopen(bundled, RTLD_NOW | RTLD_LOCAL);
        if (handle != NULL) return handle;
        bundledReason = dlerror();
        snprintf(error, size, "%s", bundledReason != NULL ? bundledReason : bundled);
    }
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle != NULL) return handle;
    const char *reason = dlerror();
    if (bundledReason != NULL) {
        size_t used = strlen(error);
        snprintf(error + used, size - used, "; %s", reason != NULL ? reason : library);
    } else {
        snprintf(error, size, "%s", reason != NULL ? reason : library);
    }
    return NULL;
}

const mlrepro_libgit2 *mlrepro_libgit2_load(const char *library, char *error, size_t size) {
    void *handle = open_library(library, error, size);
    if (handle == NULL) return NULL;
#define MLREPRO_LIBGIT2_RESOLVE(name)                                                       \
    table.name = (__typeof__(table.name))dlsym(handle, "git_" #name);                      \
    if (table.name == NULL) {                                                               \
        snprintf(error, size, "%s has no function git_%s (built against libgit2 %s)",      \
                 library, #name, LIBGIT2_VERSION);                                          \
        dlclose(handle);                                                                    \
        return NULL;                                                                        \
    }
    MLREPRO_LIBGIT2_FUNCTIONS(MLREPRO_LIBGIT2_RESOLVE)
#undef MLREPRO_LIBGIT2_RESOLVE
    return &table;
}
