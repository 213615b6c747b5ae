/*
 * Direct stride-1 convolutions for few output channels, on all cores.
 *
 * im2col + sgemm is the right shape for wide layers, but a CRNet layer has 2–14 channels: its
 * product is [51,200 × 63]·[63 × 7], so skinny that sgemm runs at 1–6 GMAC/s and the im2col copy
 * costs as much again. Here each image is laid out channel-planar and zero-padded once, and an
 * output row is accumulated as F vectors along the width: every inner loop is a contiguous
 * multiply-add over output columns that the compiler vectorises. The filter gradient keeps one
 * partial sum per (tap, channel, filter, column) and reduces the columns at the end, so no inner
 * loop has a horizontal sum. Images are shared among threads (one partial filter gradient each).
 *
 * d = [N, H, W, C, kh, kw, F, Ho, Wo, sh, sw, dh, dw, pt, pl] as in blas.c.
 */
#include "direct.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Output channels up to which the direct loops beat im2col + sgemm here. */
#define DIRECT_MAX_F 16

bool direct_applies(const int64_t *d) {
  return d[9] == 1 && d[10] == 1 && d[6] <= DIRECT_MAX_F && d[7] > 0 && d[8] > 0;
}

/* The padded planar image's sizes: rows and columns every tap of every output reads. */
static int64_t padded_rows(const int64_t *d) { return d[7] + (d[4] - 1) * d[11]; }
static int64_t padded_cols(const int64_t *d) { return d[8] + (d[5] - 1) * d[12]; }

/* Image n of NHWC x as [C][Hp][Wp], shifted by the top and left pads, zeros elsewhere. */
static void planar(const float *x, const int64_t *d, int64_t n, float *xp) {
  const int64_t H = d[1], W = d[2], C = d[3], pt = d[13], pl = d[14], Hp = padded_rows(d), Wp = padded_cols(d);
  memset(xp, 0, sizeof(float) * C * Hp * Wp);
  for (int64_t y = 0; y < H; y++) {
    const int64_t py = y + pt;
    if (py < 0 || py >= Hp) continue;
    for (int64_t xx = 0; xx < W; xx++) {
      const int64_t px = xx + pl;
      if (px < 0 || px >= Wp) continue;
      const float *src = x + ((n * H + y) * W + xx) * C;
      for (int64_t c = 0; c < C; c++) xp[(c * Hp + py) * Wp + px] = src[c];
    }
  }
}

typedef struct {
  const float *x, *w, *dy;
  float *out;
  double *sum;
  const int64_t *d;
  int64_t n0, n1;
  bool ok;
} Job;

/* y[n] for images n0 … n1 − 1; w is [kh, kw, C, F]. */
VECTOR_CLONES static void *forward_images(void *arg) {
  Job *job = arg;
  const int64_t *d = job->d;
  const int64_t C = d[3], kh = d[4], kw = d[5], F = d[6], Ho = d[7], Wo = d[8], dh = d[11], dw = d[12], Hp = padded_rows(d), Wp = padded_cols(d);
  float *xp = malloc(sizeof(float) * (C * Hp * Wp + F * Wo));
  if (!xp) return NULL;
  float *acc = xp + C * Hp * Wp;
  for (int64_t n = job->n0; n < job->n1; n++) {
    planar(job->x, d, n, xp);
    for (int64_t oy = 0; oy < Ho; oy++) {
      memset(acc, 0, sizeof(float) * F * Wo);
      for (int64_t i = 0; i < kh; i++)
        for (int64_t j = 0; j < kw; j++)
          for (int64_t c = 0; c < C; c++) {
            const float *src = xp + (c * Hp + oy + i * dh) * Wp + j * dw;
            const float *wt = job->w + ((i * kw + j) * C + c) * F;
            for (int64_t f = 0; f < F; f++) {
              const float a = wt[f];
              float *restrict row = acc + f * Wo;
              for (int64_t ox = 0; ox < Wo; ox++) row[ox] += a * src[ox];
            }
          }
      float *y = job->out + (n * Ho + oy) * Wo * F;
      for (int64_t ox = 0; ox < Wo; ox++)
        for (int64_t f = 0; f < F; f++) y[ox * F + f] = acc[f * Wo + ox];
    }
  }
  free(xp);
  job->ok = true;
  return NULL;
}

/*
 * The filter gradient's column partials over images n0 … n1 − 1, [kh, kw, C, F][Wo], in
 * job->sum: float within an image (one column lane adds Ho terms), double across images.
 */
VECTOR_CLONES static void *filter_images(void *arg) {
  Job *job = arg;
  const int64_t *d = job->d;
  const int64_t C = d[3], kh = d[4], kw = d[5], F = d[6], Ho = d[7], Wo = d[8], dh = d[11], dw = d[12], Hp = padded_rows(d), Wp = padded_cols(d);
  const int64_t parts = kh * kw * C * F * Wo;
  float *xp = malloc(sizeof(float) * (C * Hp * Wp + F * Wo + parts));
  if (!xp) return NULL;
  float *g = xp + C * Hp * Wp;
  float *part = g + F * Wo;
  for (int64_t n = job->n0; n < job->n1; n++) {
    planar(job->x, d, n, xp);
    memset(part, 0, sizeof(float) * parts);
    for (int64_t oy = 0; oy < Ho; oy++) {
      const float *dy = job->dy + (n * Ho + oy) * Wo * F;
      for (int64_t ox = 0; ox < Wo; ox++)
        for (int64_t f = 0; f < F; f++) g[f * Wo + ox] = dy[ox * F + f];
      for (int64_t i = 0; i < kh; i++)
        for (int64_t j = 0; j < kw; j++)
          for (int64_t c = 0; c < C; c++) {
            const float *src = xp + (c * Hp + oy + i * dh) * Wp + j * dw;
            float *p = part + ((i * kw + j) * C + c) * F * Wo;
            for (int64_t f = 0; f < F; f++) {
              float *restrict q = p + f * Wo;
              const float *gf = g + f * Wo;
              for (int64_t ox = 0; ox < Wo; ox++) q[ox] += src[ox] * gf[ox];
            }
          }
    }
    for (int64_t e = 0; e < parts; e++) job->sum[e] += part[e];
  }
  free(xp);
  job->ok = true;
  return NULL;
}

/* Runs `work` over the images, split among up to `threads` threads; false if one ran out of memory. */
static bool shared(void *(*work)(void *), Job *jobs, int threads) {
  pthread_t id[DIRECT_MAX_THREADS];
  bool started[DIRECT_MAX_THREADS] = {false};
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&id[t], NULL, work, &jobs[t]) == 0;
  for (int t = 1; t < threads; t++)
    if (!started[t]) work(&jobs[t]);
  work(&jobs[0]);
  bool ok = jobs[0].ok;
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(id[t], NULL);
    ok = ok && jobs[t].ok;
  }
  return ok;
}

/* Threads worth starting for `macs` multiply-adds over N images. */
static int threads_for(int threads, int64_t N, int64_t macs) {
  if (threads > DIRECT_MAX_THREADS) threads = DIRECT_MAX_THREADS;
  if (threads > N) threads = (int)N;
  if (macs < (1 << 20)) threads = 1;
  return threads < 1 ? 1 : threads;
}

static void split(Job *jobs, int threads, int64_t N) {
  for (int t = 0; t < threads; t++) {
    jobs[t].n0 = N * t / threads;
    jobs[t].n1 = N * (t + 1) / threads;
    jobs[t].ok = false;
  }
}

bool direct_conv(const float *x, const float *w, float *y, const int64_t *d, int threads) {
  const int64_t N = d[0];
  threads = threads_for(threads, N, N * d[7] * d[8] * d[4] * d[5] * d[3] * d[6]);
  Job jobs[DIRECT_MAX_THREADS];
  for (int t = 0; t < threads; t++) jobs[t] = (Job){.x = x, .w = w, .out = y, .d = d};
  split(jobs, threads, N);
  return shared(forward_images, jobs, threads);
}

bool direct_conv_filter(const float *x, const float *dy, float *dw, const int64_t *d, int threads) {
  const int64_t N = d[0], K = d[4] * d[5] * d[3], F = d[6], Wo = d[8];
  threads = threads_for(threads, N, N * d[7] * Wo * K * F);
  double *parts = calloc((size_t)(threads * K * F * Wo), sizeof(double));
  if (!parts) return false;
  Job jobs[DIRECT_MAX_THREADS];
  for (int t = 0; t < threads; t++) jobs[t] = (Job){.x = x, .dy = dy, .sum = parts + t * K * F * Wo, .d = d};
  split(jobs, threads, N);
  const bool ok = shared(filter_images, jobs, threads);
  // The column partials of every thread, summed in double.
  for (int64_t e = 0; e < K * F && ok; e++) {
    double s = 0;
    for (int t = 0; t < threads; t++)
      for (int64_t ox = 0; ox < Wo; ox++) s += parts[(t * K * F + e) * Wo + ox];
    dw[e] = (float)s;
  }
  free(parts);
  return ok;
}
