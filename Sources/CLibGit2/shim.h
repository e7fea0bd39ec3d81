#ifndef MLREPRO_CLIBGIT2_SHIM_H
#define MLREPRO_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
