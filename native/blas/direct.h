/* Direct stride-1 convolutions for few output channels (direct.c). */
#ifndef CODESIGN_DIRECT_H
#define CODESIGN_DIRECT_H

#include <stdbool.h>
#include <stdint.h>

#define DIRECT_MAX_THREADS 64

/* Hot loops are built for AVX-512, AVX2 and plain x86-64, the one to run chosen when the addon loads. */
#if defined(__x86_64__) && defined(__GNUC__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Whether the direct loops take this convolution (stride 1, at most 16 output channels). */
bool direct_applies(const int64_t *d);
/* y = x ⊛ w, NHWC, w [kh, kw, C, F]; false when out of memory. */
bool direct_conv(const float *x, const float *w, float *y, const int64_t *d, int threads);
/* dw [kh, kw, C, F] = Σ over images and pixels of x's windows times dy. */
bool direct_conv_filter(const float *x, const float *dy, float *dw, const int64_t *d, int threads);

#endif
