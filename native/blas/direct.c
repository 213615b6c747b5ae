/*
 * Direct stride-1 convolutions for few output channels, on all cores.
 *
 * im2col + sgemm is the right shape for wide layers, but a CRNet layer has 2–14 channels: its
 * product is [51,200 × 63]·[63 × 7], so skinny that sgemm runs at 1–6 GMAC/s and the im2col copy
 * costs as much again. Here each image is laid out channel-planar and zero-padded once, and the
 * output is computed on the padded grid (Ho rows of Wp columns, the Wp − Wo extra columns
 * discarded): then every tap (i, j, c) reads one contiguous span of the planar image, whatever
 * the width — the precoder's 64 × 4 antenna grid as well as CRNet's 32 × 32 — and every inner loop
 * is a multiply-add over that span, kept in AVX registers. The filter gradient keeps eight lane
 * partials per (tap, filter), so no inner loop has a horizontal sum. Images are shared among
 * threads (one partial filter gradient each).
 *
 * d = [N, H, W, C, kh, kw, F, Ho, Wo, sh, sw, dh, dw, pt, pl] as in blas.c.
 */
#include "direct.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Output channels up to which the direct loops beat im2col + sgemm here. */
#define DIRECT_MAX_F 16

bool direct_applies(const ConvShape *d) {
  return d->sh == 1 && d->sw == 1 && d->F <= DIRECT_MAX_F && d->Ho > 0 && d->Wo > 0;
}

/* The padded planar image's sizes: rows and columns every tap of every output reads. */
static int64_t padded_rows(const ConvShape *d) { return d->Ho + (d->kh - 1) * d->dh; }
static int64_t padded_cols(const ConvShape *d) { return d->Wo + (d->kw - 1) * d->dw; }

/*
 * Image n of NHWC x into [C][Hp][Wp], shifted by the top and left pads. Only the image's own
 * positions are written: the caller zeroes the buffer once, and the padding stays zero.
 */
static void planar(const float *x, const ConvShape *d, int64_t n, float *xp) {
  const int64_t H = d->H, W = d->W, C = d->C, pt = d->pt, pl = d->pl, Hp = padded_rows(d), Wp = padded_cols(d);
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
  const ConvShape *d;
  int64_t n0, n1;
  bool ok;
} Job;

/* Eight floats, the width of an AVX register: GCC's vector extension, built per VECTOR_CLONES target. */
typedef float v8 __attribute__((vector_size(32)));

static inline v8 load8(const float *p) {
  v8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

/* Offsets in the planar image of every tap (i, j, c) for output position 0, in im2col order. */
static int64_t *tap_offsets(const ConvShape *d) {
  const int64_t C = d->C, kh = d->kh, kw = d->kw, dh = d->dh, dw = d->dw, Hp = padded_rows(d), Wp = padded_cols(d);
  int64_t *off = malloc(sizeof(int64_t) * kh * kw * C);
  if (!off) return NULL;
  for (int64_t i = 0; i < kh; i++)
    for (int64_t j = 0; j < kw; j++)
      for (int64_t c = 0; c < C; c++) off[(i * kw + j) * C + c] = (c * Hp + i * dh) * Wp + j * dw;
  return off;
}

/* A job's float scratch of `floats` and its tap offsets; NULL (nothing held) when out of memory. */
static float *scratch(const ConvShape *d, int64_t floats, int64_t **koff) {
  float *xp = malloc(sizeof(float) * floats);
  *koff = tap_offsets(d);
  if (xp && *koff) return xp;
  free(xp);
  free(*koff);
  return NULL;
}

/*
 * Floats of planar image a job allocates: C·Hp·Wp, and past its end the (kw − 1)·dw the last
 * channel's taps read for the discarded columns of the last row (zeros).
 */
static int64_t planar_size(const ConvShape *d) { return d->C * padded_rows(d) * padded_cols(d) + (d->kw - 1) * d->dw; }

/* Padded-grid positions per chunk: the accumulators of all filters stay in L1/L2. */
#define SPAN 1024

/*
 * out[t] = Σ_k wf[k]·x[koff[k] + t] for t < len: 32 positions at a time in four register
 * accumulators, the taps innermost, so an accumulator is loaded and stored once per span.
 */
static inline void filter_span(const float *x, const int64_t *koff, int64_t K, const float *wf, float *out, int64_t len) {
  int64_t t = 0;
  for (; t + 32 <= len; t += 32) {
    v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int64_t k = 0; k < K; k++) {
      const float *s = x + koff[k] + t;
      const float w = wf[k];
      a0 += w * load8(s);
      a1 += w * load8(s + 8);
      a2 += w * load8(s + 16);
      a3 += w * load8(s + 24);
    }
    store8(out + t, a0);
    store8(out + t + 8, a1);
    store8(out + t + 16, a2);
    store8(out + t + 24, a3);
  }
  for (; t + 8 <= len; t += 8) {
    v8 a = {0};
    for (int64_t k = 0; k < K; k++) a += wf[k] * load8(x + koff[k] + t);
    store8(out + t, a);
  }
  for (; t < len; t++) {
    float a = 0;
    for (int64_t k = 0; k < K; k++) a += wf[k] * x[koff[k] + t];
    out[t] = a;
  }
}

/* y[n] for images n0 … n1 − 1; w is [kh, kw, C, F]. */
VECTOR_CLONES static void *forward_images(void *arg) {
  Job *job = arg;
  const ConvShape *d = job->d;
  const int64_t C = d->C, K = d->kh * d->kw * C, F = d->F, Ho = d->Ho, Wo = d->Wo, Wp = padded_cols(d), L = Ho * Wp, P = planar_size(d);
  int64_t *koff;
  float *xp = scratch(d, P + F * SPAN + K * F, &koff);
  if (!xp) return NULL;
  float *acc = xp + P;
  float *wt = acc + F * SPAN;
  for (int64_t k = 0; k < K; k++)
    for (int64_t f = 0; f < F; f++) wt[f * K + k] = job->w[k * F + f];
  memset(xp, 0, sizeof(float) * P);
  for (int64_t n = job->n0; n < job->n1; n++) {
    planar(job->x, d, n, xp);
    float *y = job->out + n * Ho * Wo * F;
    for (int64_t t0 = 0; t0 < L; t0 += SPAN) {
      const int64_t len = t0 + SPAN < L ? SPAN : L - t0;
      for (int64_t f = 0; f < F; f++) filter_span(xp + t0, koff, K, wt + f * K, acc + f * SPAN, len);
      for (int64_t t = 0; t < len; t++) {
        const int64_t oy = (t0 + t) / Wp, ox = (t0 + t) % Wp;
        if (ox >= Wo) continue;
        float *dst = y + (oy * Wo + ox) * F;
        for (int64_t f = 0; f < F; f++) dst[f] = acc[f * SPAN + t];
      }
    }
  }
  free(koff);
  free(xp);
  job->ok = true;
  return NULL;
}

/*
 * The filter gradient over images n0 … n1 − 1, added to job->sum as [kh, kw, C, F][8] lane
 * partials: in float within a span of SPAN padded-grid positions (a lane adds at most SPAN/8
 * terms), in double across spans and images. dy is laid out on the padded grid, zero in the
 * discarded columns, so they add nothing.
 */
VECTOR_CLONES static void *filter_images(void *arg) {
  Job *job = arg;
  const ConvShape *d = job->d;
  const int64_t C = d->C, K = d->kh * d->kw * C, F = d->F, Ho = d->Ho, Wo = d->Wo, Wp = padded_cols(d), L = Ho * Wp, P = planar_size(d);
  int64_t *koff;
  float *xp = scratch(d, P + F * L + K * F * 8, &koff);
  if (!xp) return NULL;
  float *g = xp + P;
  float *part = g + F * L;
  memset(xp, 0, sizeof(float) * (P + F * L));
  for (int64_t n = job->n0; n < job->n1; n++) {
    planar(job->x, d, n, xp);
    const float *dy = job->dy + n * Ho * Wo * F;
    for (int64_t oy = 0; oy < Ho; oy++)
      for (int64_t ox = 0; ox < Wo; ox++)
        for (int64_t f = 0; f < F; f++) g[f * L + oy * Wp + ox] = dy[(oy * Wo + ox) * F + f];
    for (int64_t t0 = 0; t0 < L; t0 += SPAN) {
      const int64_t len = t0 + SPAN < L ? SPAN : L - t0;
      memset(part, 0, sizeof(float) * K * F * 8);
      for (int64_t k = 0; k < K; k++) {
        const float *s = xp + koff[k] + t0;
        for (int64_t f = 0; f < F; f++) {
          const float *gf = g + f * L + t0;
          float *lane = part + (k * F + f) * 8;
          v8 a = {0};
          int64_t t = 0;
          for (; t + 8 <= len; t += 8) a += load8(s + t) * load8(gf + t);
          store8(lane, a);
          for (; t < len; t++) lane[0] += s[t] * gf[t];
        }
      }
      for (int64_t e = 0; e < K * F * 8; e++) job->sum[e] += part[e];
    }
  }
  free(koff);
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

bool direct_conv(const float *x, const float *w, float *y, const ConvShape *d, int threads) {
  const int64_t N = d->N;
  threads = threads_for(threads, N, N * d->Ho * d->Wo * d->kh * d->kw * d->C * d->F);
  Job jobs[DIRECT_MAX_THREADS];
  for (int t = 0; t < threads; t++) jobs[t] = (Job){.x = x, .w = w, .out = y, .d = d};
  split(jobs, threads, N);
  return shared(forward_images, jobs, threads);
}

bool direct_conv_filter(const float *x, const float *dy, float *dw, const ConvShape *d, int threads) {
  const int64_t N = d->N, K = d->kh * d->kw * d->C, F = d->F;
  threads = threads_for(threads, N, N * d->Ho * d->Wo * K * F);
  double *parts = calloc((size_t)(threads * K * F * 8), sizeof(double));
  if (!parts) return false;
  Job jobs[DIRECT_MAX_THREADS];
  for (int t = 0; t < threads; t++) jobs[t] = (Job){.x = x, .dy = dy, .sum = parts + t * K * F * 8, .d = d};
  split(jobs, threads, N);
  const bool ok = shared(filter_images, jobs, threads);
  // The lane partials of every thread, summed in double.
  for (int64_t e = 0; e < K * F && ok; e++) {
    double s = 0;
    for (int t = 0; t < threads; t++)
      for (int l = 0; l < 8; l++) s += parts[(t * K * F + e) * 8 + l];
    dw[e] = (float)s;
  }
  free(parts);
  return ok;
}
