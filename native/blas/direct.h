/* Direct stride-1 convolutions for few output channels (direct.c). */
#ifndef CODESIGN_DIRECT_H
#define CODESIGN_DIRECT_H

#include <stdbool.h>
#include <stdint.h>

#define DIRECT_MAX_THREADS 64

/*
 * A convolution's sizes, as JavaScript passes them (an array of 15): batch, input height, width
 * and channels, kernel height and width, filters, output height and width, strides, dilations,
 * and the top and left padding. `at` is the same storage by index, for reading the array.
 */
typedef union {
  int64_t at[15];
  struct {
    int64_t N, H, W, C, kh, kw, F, Ho, Wo, sh, sw, dh, dw, pt, pl;
  };
} ConvShape;

/* Hot loops are built for AVX-512, AVX2 and plain x86-64, the one to run chosen when the addon loads. */
#if defined(__x86_64__) && defined(__GNUC__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Whether the direct loops take this convolution (stride 1, at most 16 output channels). */
bool direct_applies(const ConvShape *d);
/* y = x ⊛ w, NHWC, w [kh, kw, C, F]; false when out of memory. */
bool direct_conv(const float *x, const float *w, float *y, const ConvShape *d, int threads);
/* dw [kh, kw, C, F] = Σ over images and pixels of x's windows times dy. */
bool direct_conv_filter(const float *x, const float *dy, float *dw, const ConvShape *d, int threads);

#endif
