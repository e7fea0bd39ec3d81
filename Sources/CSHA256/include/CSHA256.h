#ifndef MLREPRO_CSHA256_H
#define MLREPRO_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256's 64 round constants, for the portable code.
const uint32_t *mlrepro_sha256_round_constants(void);

/// 1 when this CPU has the SHA-256 instructions (x86-64 SHA extensions) that
/// `mlrepro_sha256_hw_blocks` uses, else 0.
int mlrepro_sha256_hw_available(void);

/// Compresses `blocks` consecutive 64-byte blocks at `data` into `state` (SHA-256's eight
/// working words, in order a..h). Only call when `mlrepro_sha256_hw_available()` returned 1.
void mlrepro_sha256_hw_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
