#ifndef MLREPRO_CLIBGIT2_H
#define MLREPRO_CLIBGIT2_H

/*
 * libgit2, loaded when first used rather than when mlrepro starts.
 *
 * Linking libgit2 makes the dynamic loader map it and its fifteen or so dependencies (Kerberos,
 * TLS, SSH, zlib, ...) and resolve their symbols at every start, about 4 ms, although most
 * commands never touch git. Instead, `mlrepro_libgit2_load` opens the library with `dlopen` the
 * first time git is needed and fills a table of function pointers.
 *
 * The table's entries have the exact types of libgit2's declarations (`__typeof__`), so a call
 * through them is checked by the compiler as a direct call would be. An entry `foo` is
 * libgit2's `git_foo`.
 */

#include <stddef.h>
#include <git2.h>

#define MLREPRO_LIBGIT2_FUNCTIONS(X) \
    X(blob_create_from_buffer) \
    X(blob_free) \
    X(blob_lookup) \
    X(blob_rawcontent) \
    X(blob_rawsize) \
    X(buf_dispose) \
    X(clone) \
    X(clone_options_init) \
    X(commit_author) \
    X(commit_create) \
    X(commit_free) \
    X(commit_lookup) \
    X(commit_message) \
    X(commit_parent_id) \
    X(commit_parentcount) \
    X(commit_tree) \
    X(commit_tree_id) \
    X(config_free) \
    X(config_get_string) \
    X(config_open_default) \
    X(config_open_level) \
    X(config_set_string) \
    X(config_snapshot) \
    X(credential_ssh_key_from_agent) \
    X(credential_ssh_key_new) \
    X(credential_username_new) \
    X(credential_userpass_plaintext_new) \
    X(describe_commit) \
    X(describe_format) \
    X(describe_format_options_init) \
    X(describe_options_init) \
    X(describe_result_free) \
    X(error_last) \
    X(fetch_options_init) \
    X(index_add) \
    X(index_add_all) \
    X(index_entrycount) \
    X(index_free) \
    X(index_get_byindex) \
    X(index_new) \
    X(index_update_all) \
    X(index_write) \
    X(index_write_tree) \
    X(index_write_tree_to) \
    X(libgit2_features) \
    X(libgit2_init) \
    X(merge_file) \
    X(merge_file_options_init) \
    X(merge_file_result_free) \
    X(object_free) \
    X(object_id) \
    X(object_lookup) \
    X(object_peel) \
    X(odb_foreach) \
    X(odb_free) \
    X(odb_read_header) \
    X(oid_fmt) \
    X(oid_fromstr) \
    X(reference_create) \
    X(reference_free) \
    X(reference_lookup) \
    X(reference_name_to_id) \
    X(reference_symbolic_target) \
    X(remote_fetch) \
    X(remote_free) \
    X(remote_lookup) \
    X(remote_url) \
    X(repository_config) \
    X(repository_config_snapshot) \
    X(repository_free) \
    X(repository_head_detached) \
    X(repository_index) \
    X(repository_init) \
    X(repository_is_bare) \
    X(repository_odb) \
    X(repository_open_ext) \
    X(repository_path) \
    X(repository_workdir) \
    X(revparse_single) \
    X(revwalk_free) \
    X(revwalk_new) \
    X(revwalk_next) \
    X(revwalk_push) \
    X(signature_free) \
    X(signature_new) \
    X(status_byindex) \
    X(status_list_entrycount) \
    X(status_list_free) \
    X(status_list_new) \
    X(status_options_init) \
    X(strarray_dispose) \
    X(tag_list) \
    X(tree_entry_byindex) \
    X(tree_entry_bypath) \
    X(tree_entry_filemode) \
    X(tree_entry_free) \
    X(tree_entry_id) \
    X(tree_entry_name) \
    X(tree_entry_type) \
    X(tree_entrycount) \
    X(tree_free) \
    X(tree_lookup)

#define MLREPRO_LIBGIT2_ENTRY(name) __typeof__(git_##name) *name;
typedef struct mlrepro_libgit2 {
    MLREPRO_LIBGIT2_FUNCTIONS(MLREPRO_LIBGIT2_ENTRY)
} mlrepro_libgit2;
#undef MLREPRO_LIBGIT2_ENTRY

/// The shared library's name, with the ABI version of the headers mlrepro was built against.
#define MLREPRO_LIBGIT2_SONAME "libgit2.so." LIBGIT2_SOVERSION

/// Opens libgit2 and resolves every function in the table. Returns the table, or NULL with a
/// description of what failed written to `error` (at most `size` bytes, NUL-terminated).
/// Not thread-safe: call it once, under a lock or from a one-time initialiser.
const mlrepro_libgit2 *mlrepro_libgit2_load(const char *library, char *error, size_t size);

#endif
