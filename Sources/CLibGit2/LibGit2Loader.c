#include "CLibGit2.h"

#include <dlfcn.h>
#include <stdio.h>

static mlrepro_libgit2 table;

const mlrepro_libgit2 *mlrepro_libgit2_load(const char *library, char *error, size_t size) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : library);
        return NULL;
    }
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
