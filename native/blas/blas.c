/*
 * codesign's native training kernels (train/native-kernels.ts registers them on tfjs's wasm
 * backend). Every function takes the wasm heap's ArrayBuffer and each tensor as a Float32Array
 * view of its own elements in that heap; every run is checked against its tensor's length, so
 * nothing is copied in or out and nothing outside a tensor is touched. Products run on OpenBLAS (all
 * cores); direct.c holds the few-channel convolutions.
 */
#include <cblas.h>
#include "direct.h"
#include <node_api.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/*
 * One call's arguments: at most 16, the first the wasm heap's ArrayBuffer. The readers below
 * clear `ok` on the first bad argument (wrong type, or a tensor that does not lie inside the
 * heap), and the entry point then fails with its own signature.
 */
typedef struct {
  napi_env env;
  napi_value argv[16];
  char *heap;
  size_t length;
  bool ok;
} Call;

static Call call_of(napi_env env, napi_callback_info info, size_t count) {
  Call c = {.env = env, .ok = false};
  size_t argc = count;
  void *data = NULL;
  c.ok = count <= 16 && napi_get_cb_info(env, info, &argc, c.argv, NULL, NULL) == napi_ok && argc == count && napi_get_arraybuffer_info(env, c.argv[0], &data, &c.length) == napi_ok;
  c.heap = data;
  return c;
}

static int64_t int_at(Call *c, int i) {
  int64_t v = 0;
  if (c->ok && napi_get_value_int64(c->env, c->argv[i], &v) != napi_ok) c->ok = false;
  return v;
}

static double number_at(Call *c, int i) {
  double v = 0;
  if (c->ok && napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) c->ok = false;
  return v;
}

static bool bool_at(Call *c, int i) {
  bool v = false;
  if (c->ok && napi_get_value_bool(c->env, c->argv[i], &v) != napi_ok) c->ok = false;
  return v;
}

/* a·b·c·d, or −1 when a factor is negative or the product leaves int64: a size no tensor has. */
static int64_t product(int64_t a, int64_t b, int64_t c, int64_t d) {
  int64_t r;
  if (a < 0 || b < 0 || c < 0 || d < 0 || __builtin_mul_overflow(a, b, &r) || __builtin_mul_overflow(r, c, &r) || __builtin_mul_overflow(r, d, &r)) return -1;
  return r;
}

/*
 * The first `n` floats of the tensor passed as argument i — a Float32Array view of that tensor's
 * own elements in the heap — or NULL (and the call failed) when the argument is not such a view,
 * n is negative (an overflowed size) or n runs past the tensor: every bound is the tensor's, not
 * merely the heap's.
 */
static float *floats_at(Call *c, int i, int64_t n) {
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = NULL;
  napi_value buffer;
  if (!c->ok || napi_get_typedarray_info(c->env, c->argv[i], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array || n < 0 || (uint64_t)n > (uint64_t)length) {
    c->ok = false;
    return NULL;
  }
  return (float *)data;
}


/*
 * sgemmBatch(buffer, A, B, C, batchA, batchB, M, N, K, transA, transB):
 * C[i] = op(A[i]) · op(B[i]) for each batch i (a batch of 1 broadcasts), row-major float32.
 */
static napi_value sgemm_batch(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 11);
  const int64_t batchA = int_at(&c, 4), batchB = int_at(&c, 5), M = int_at(&c, 6), N = int_at(&c, 7), K = int_at(&c, 8);
  const bool ta = bool_at(&c, 9), tb = bool_at(&c, 10);
  // A batch of 1 broadcasts; otherwise both batches agree. Sizes fit cblas's int.
  if (c.ok && !(batchA >= 1 && batchB >= 1 && (batchA == batchB || batchA == 1 || batchB == 1) && M >= 0 && N >= 0 && K >= 0 && M <= INT_MAX && N <= INT_MAX && K <= INT_MAX)) c.ok = false;
  const int64_t batch = batchA > batchB ? batchA : batchB;
  const float *A = floats_at(&c, 1, product(batchA, M, K, 1)), *B = floats_at(&c, 2, product(batchB, K, N, 1));
  float *C = floats_at(&c, 3, product(batch, M, N, 1));
  if (!c.ok) return fail(env, "sgemmBatch(buffer, A, B, C, batchA ≥ 1, batchB ≥ 1 (equal, or one of them 1), M, N, K, transA, transB): bad arguments, a size that overflows, or a matrix past its view");
  for (int64_t i = 0; i < batch; i++) {
    const float *a = A + (batchA == 1 ? 0 : i) * M * K;
    const float *b = B + (batchB == 1 ? 0 : i) * K * N;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f, a, ta ? (int)M : (int)K, b, tb ? (int)K : (int)N, 0.0f, C + i * M * N, (int)N);
  }
  return NULL;
}

/*
 * adam(buffer, W, G, M, V, W2, M2, V2, n, beta1, beta2, c2, epsilon,
 * rate, relative): one Adam step in one pass, written to new buffers — float32 throughout, in
 * the order and with the roundings of the tfjs expression it replaces (no fused multiply-add:
 * built with -ffp-contract=off), so the update is the same to the bit.
 */
static napi_value adam(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 15);
  const int64_t n = int_at(&c, 8);
  const float *w = floats_at(&c, 1, n), *g = floats_at(&c, 2, n), *m = floats_at(&c, 3, n), *v = floats_at(&c, 4, n);
  float *w2 = floats_at(&c, 5, n), *m2 = floats_at(&c, 6, n), *v2 = floats_at(&c, 7, n);
  const double beta1 = number_at(&c, 9), beta2 = number_at(&c, 10);
  const float b1 = (float)beta1, nb1 = (float)(1 - beta1), b2 = (float)beta2, nb2 = (float)(1 - beta2), c2 = (float)number_at(&c, 11), eps = (float)number_at(&c, 12), rate = (float)number_at(&c, 13);
  const bool relative = bool_at(&c, 14);
  if (!c.ok) return fail(env, "adam(buffer, W, G, M, V, W2, M2, V2, n, beta1, beta2, c2, epsilon, rate, relative): bad arguments or a run past its tensor's view");
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * nb1;
    const float gi2 = g[i] * g[i];
    const float vi = v[i] * b2 + gi2 * nb2;
    const float denom = sqrtf(vi / c2) + eps;
    float u = (mi / denom) * rate;
    if (relative) u = u * fabsf(w[i]);
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = w[i] - u;
  }
  return NULL;
}

VECTOR_CLONES static void lsq_loop(const float *restrict v, float *restrict q, int64_t n, float step, float lo, float hi) {
  for (int64_t i = 0; i < n; i++) {
    float x = v[i] / step;
    x = x < lo ? lo : (x > hi ? hi : x);
    q[i] = nearbyintf(x) * step;
  }
}

/* One element of LSQ's backward pass: dv, and its term of the step's gradient. */
static inline float lsq_grad_term(float dy, float v, float *dv, float step, float lo, float hi) {
  const float sc = v / step;
  const bool inside = sc >= lo && sc <= hi;
  const float clipped = sc < lo ? lo : (sc > hi ? hi : sc);
  const float rd = nearbyintf(clipped);
  *dv = inside ? dy : 0.0f;
  return dy * (inside ? rd - sc : rd);
}

/*
 * The step's terms are summed in 16 float lanes over blocks of 1,024 elements, each block's lanes
 * then added in double: a reduction the compiler vectorises (a running double sum kept the loop
 * scalar, 190 ms for 16.8 M weights), within float32 rounding of the plain sum.
 */
VECTOR_CLONES static double lsq_grad_loop(const float *restrict dys, const float *restrict v, float *restrict dv, int64_t n, float step, float lo, float hi) {
  double sum = 0;
  for (int64_t i0 = 0; i0 < n; i0 += 1024) {
    const int64_t end = i0 + 1024 < n ? i0 + 1024 : n;
    float lane[16] = {0};
    int64_t i = i0;
    for (; i + 16 <= end; i += 16)
      for (int k = 0; k < 16; k++) lane[k] += lsq_grad_term(dys[i + k], v[i + k], &dv[i + k], step, lo, hi);
    for (; i < end; i++) sum += lsq_grad_term(dys[i], v[i], &dv[i], step, lo, hi);
    for (int k = 0; k < 16; k++) sum += lane[k];
  }
  return sum;
}

/*
 * lsq(buffer, V, Q, n, step, qn, qp): q = round(clip(v / s, −Q_N, Q_P)) · s in one pass,
 * rounding half to even (tfjs's round), float32 as the tfjs expression computes it.
 */
static napi_value lsq(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 7);
  const int64_t n = int_at(&c, 3);
  const float *v = floats_at(&c, 1, n);
  float *q = floats_at(&c, 2, n);
  const double step = number_at(&c, 4), qn = number_at(&c, 5), qp = number_at(&c, 6);
  if (!c.ok) return fail(env, "lsq(buffer, V, Q, n, step, qn, qp): bad arguments or a run past its tensor's view");
  lsq_loop(v, q, n, (float)step, (float)-qn, (float)qp);
  return NULL;
}

/*
 * lsqGrad(buffer, Dy, V, Dv, n, step, qn, qp) → Σ dy·(inside ? round(v/s) − v/s : the
 * clipped level): the step's gradient before its scale; dv = dy inside the range, 0 outside.
 */
static napi_value lsq_grad(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 8);
  const int64_t n = int_at(&c, 4);
  const float *dy = floats_at(&c, 1, n), *v = floats_at(&c, 2, n);
  float *dv = floats_at(&c, 3, n);
  const double step = number_at(&c, 5), qn = number_at(&c, 6), qp = number_at(&c, 7);
  if (!c.ok) return fail(env, "lsqGrad(buffer, Dy, V, Dv, n, step, qn, qp): bad arguments or a run past its tensor's view");
  napi_value result;
  napi_create_double(env, lsq_grad_loop(dy, v, dv, n, (float)step, (float)-qn, (float)qp), &result);
  return result;
}

/* Rows p0 … p0 + rows − 1 of the im2col matrix of x: d = [N, H, W, C, kh, kw, F, Ho, Wo, sh, sw, dh, dw, pt, pl]. */
static void im2col_block(const float *x, const ConvShape *d, int64_t p0, int64_t rows, float *patches) {
  const int64_t H = d->H, W = d->W, C = d->C, kh = d->kh, kw = d->kw, Ho = d->Ho, Wo = d->Wo, sh = d->sh, sw = d->sw, dh = d->dh, dw = d->dw, pt = d->pt, pl = d->pl;
  const int64_t K = kh * kw * C;
  for (int64_t r = 0; r < rows; r++) {
    const int64_t p = p0 + r, n = p / (Ho * Wo), oy = (p / Wo) % Ho, ox = p % Wo;
    float *row = patches + r * K;
    for (int64_t i = 0; i < kh; i++) {
      const int64_t iy = oy * sh + i * dh - pt;
      for (int64_t j = 0; j < kw; j++) {
        const int64_t ix = ox * sw + j * dw - pl;
        float *dst = row + (i * kw + j) * C;
        if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
          for (int64_t c = 0; c < C; c++) dst[c] = 0.0f;
        } else {
          const float *src = x + ((n * H + iy) * W + ix) * C;
          for (int64_t c = 0; c < C; c++) dst[c] = src[c];
        }
      }
    }
  }
}

/* Output pixels per im2col block, so that the patch matrix stays under ~16 MB. */
static int64_t block_rows(int64_t K, int64_t pixels) {
  int64_t block = (4 << 20) / (K > 0 ? K : 1);
  if (block < 1) block = 1;
  return block > pixels ? (pixels > 0 ? pixels : 1) : block;
}

/* A 1×1 convolution of stride 1 without padding: its im2col matrix is x itself. */
static bool pointwise(const ConvShape *d) {
  return d->kh == 1 && d->kw == 1 && d->sh == 1 && d->sw == 1 && d->pt == 0 && d->pl == 0 && d->Ho == d->H && d->Wo == d->W;
}

/* The convolution y = x ⊛ f: one sgemm for 1×1, the direct loops where they apply, else im2col(x) · f a block at a time; d as for im2col_block. */
static bool conv_core(const float *x, const float *f, float *y, const ConvShape *d) {
  if (pointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(d->N * d->H * d->W), (int)d->F, (int)d->C, 1.0f, x, (int)d->C, f, (int)d->F, 0.0f, y, (int)d->F);
    return true;
  }
  if (direct_applies(d)) return direct_conv(x, f, y, d, openblas_get_num_threads());
  const int64_t K = d->kh * d->kw * d->C, F = d->F, pixels = d->N * d->Ho * d->Wo;
  const int64_t block = block_rows(K, pixels);
  float *patches = malloc(sizeof(float) * block * (K > 0 ? K : 1));
  if (!patches) return false;
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t rows = p0 + block > pixels ? pixels - p0 : block;
    im2col_block(x, d, p0, rows, patches);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)F, (int)K, 1.0f, patches, (int)K, f, (int)F, 0.0f, y + p0 * F, (int)F);
  }
  free(patches);
  return true;
}

/* The filter gradient, df = im2col(x)ᵀ · dy summed over blocks of output pixels; d as for im2col_block. */
static bool conv_filter_core(const float *x, const float *dy, float *df, const ConvShape *d) {
  if (pointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d->C, (int)d->F, (int)(d->N * d->H * d->W), 1.0f, x, (int)d->C, dy, (int)d->F, 0.0f, df, (int)d->F);
    return true;
  }
  if (direct_applies(d)) return direct_conv_filter(x, dy, df, d, openblas_get_num_threads());
  const int64_t K = d->kh * d->kw * d->C, F = d->F, pixels = d->N * d->Ho * d->Wo;
  const int64_t block = block_rows(K, pixels);
  float *patches = malloc(sizeof(float) * block * (K > 0 ? K : 1));
  if (!patches) return false;
  if (pixels == 0) memset(df, 0, sizeof(float) * K * F);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t rows = p0 + block > pixels ? pixels - p0 : block;
    im2col_block(x, d, p0, rows, patches);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)F, (int)rows, 1.0f, patches, (int)K, dy + p0 * F, (int)F, p0 == 0 ? 0.0f : 1.0f, df, (int)F);
  }
  free(patches);
  return true;
}

/*
 * A convolution call (buffer, three tensor views, an array of 15 sizes d): the convolution's input at
 * argument 1, its filter and output at the positions given, each checked for the size d implies.
 */
static bool conv_call(napi_env env, napi_callback_info info, int filterArg, int outputArg, ConvShape *d, float **input, float **filter, float **output) {
  Call c = call_of(env, info, 5);
  for (uint32_t i = 0; i < 15 && c.ok; i++) {
    napi_value e;
    if (napi_get_element(env, c.argv[4], i, &e) != napi_ok || napi_get_value_int64(env, e, &d->at[i]) != napi_ok || d->at[i] < 0 || d->at[i] > INT_MAX) c.ok = false;
  }
  if (!c.ok) return false;
  // The row counts and inner sizes handed to cblas as int must fit one.
  const int64_t rows[] = {product(d->N, d->H, d->W, 1), product(d->N, d->Ho, d->Wo, 1), product(d->kh, d->kw, d->C, 1)};
  for (int r = 0; r < 3; r++)
    if (rows[r] < 0 || rows[r] > INT_MAX) return false;
  *input = floats_at(&c, 1, product(d->N, d->H, d->W, d->C));
  *filter = floats_at(&c, filterArg, product(d->kh, d->kw, d->C, d->F));
  *output = floats_at(&c, outputArg, product(d->N, d->Ho, d->Wo, d->F));
  return c.ok;
}

/*
 * conv2d(buffer, X, F, Y, [N, H, W, C, kh, kw, F, Ho, Wo, strideH, strideW, dilationH,
 * dilationW, padTop, padLeft]): NHWC convolution, the filter tfjs's [kh, kw, C, F] — by conv_core:
 * one sgemm (1×1), the direct loops (stride 1, ≤ 16 filters) or im2col + sgemm.
 */
static napi_value conv2d(napi_env env, napi_callback_info info) {
  ConvShape d;
  float *x, *f, *y;
  if (!conv_call(env, info, 2, 3, &d, &x, &f, &y)) return fail(env, "conv2d(buffer, X, F, Y, sizes): bad arguments or a run past its tensor's view");
  return conv_core(x, f, y, &d) ? NULL : fail(env, "conv2d: out of memory");
}

/*
 * conv2dBackInput(buffer, Dy, F, Dx, [N, Ho, Wo, F, kh, kw, C, H, W, 1, 1, dh, dw,
 * padTop', padLeft']): the input gradient of a stride-1 convolution — a convolution of dy with
 * the kernel turned 180° and its channels swapped ([kh, kw, C, F] read as [kh, kw, F, C]).
 */
static napi_value conv2d_back_input(napi_env env, napi_callback_info info) {
  ConvShape d;
  float *dy, *k, *dx;
  if (!conv_call(env, info, 2, 3, &d, &dy, &k, &dx)) return fail(env, "conv2dBackInput(buffer, Dy, F, Dx, sizes): bad arguments or a run past its tensor's view");
  const int64_t kh = d.kh, kw = d.kw, F = d.C, C = d.F;
  float *turned = malloc(sizeof(float) * (kh * kw * C * F > 0 ? kh * kw * C * F : 1));
  if (!turned) return fail(env, "conv2dBackInput: out of memory");
  for (int64_t i = 0; i < kh; i++)
    for (int64_t j = 0; j < kw; j++)
      for (int64_t ci = 0; ci < C; ci++)
        for (int64_t o = 0; o < F; o++) turned[((i * kw + j) * F + o) * C + ci] = k[(((kh - 1 - i) * kw + (kw - 1 - j)) * C + ci) * F + o];
  const bool ok = conv_core(dy, turned, dx, &d);
  free(turned);
  return ok ? NULL : fail(env, "conv2dBackInput: out of memory");
}

/*
 * conv2dBackFilter(buffer, X, Dy, Df, [N, H, W, C, kh, kw, F, Ho, Wo, strideH, strideW,
 * dilationH, dilationW, padTop, padLeft]): the filter gradient of the convolution conv2d computes,
 * [kh, kw, C, F] = im2col(x)ᵀ · dy.
 */
static napi_value conv2d_back_filter(napi_env env, napi_callback_info info) {
  ConvShape d;
  float *x, *df, *dy;
  if (!conv_call(env, info, 3, 2, &d, &x, &df, &dy)) return fail(env, "conv2dBackFilter(buffer, X, Dy, Df, sizes): bad arguments or a run past its tensor's view");
  return conv_filter_core(x, dy, df, &d) ? NULL : fail(env, "conv2dBackFilter: out of memory");
}

/*
 * copyRows(buffer, Src, Dst, rows, width, srcStride, dstStride): rows of `width` floats
 * from src (rows srcStride apart) to dst (dstStride apart) — a concatenation's or a split's part
 * along an inner axis.
 */
static napi_value copy_rows(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 7);
  const int64_t rows = int_at(&c, 3), width = int_at(&c, 4), ss = int_at(&c, 5), ds = int_at(&c, 6);
  if (c.ok && (rows <= 0 || width <= 0)) return NULL;
  const int64_t srcSpan = product(rows - 1, ss, 1, 1), dstSpan = product(rows - 1, ds, 1, 1);
  const float *src = floats_at(&c, 1, srcSpan < 0 || srcSpan > INT64_MAX - width ? -1 : srcSpan + width);
  float *dst = floats_at(&c, 2, dstSpan < 0 || dstSpan > INT64_MAX - width ? -1 : dstSpan + width);
  if (!c.ok || ss < width || ds < width) return fail(env, "copyRows(buffer, Src, Dst, rows, width, srcStride, dstStride): bad arguments or a run past its tensor's view");
  for (int64_t r = 0; r < rows; r++) {
    const float *a = src + r * ss;
    float *t = dst + r * ds;
    for (int64_t k = 0; k < width; k++) t[k] = a[k];
  }
  return NULL;
}

/*
 * dropout(buffer, X, Y, Mask, n, s0, s1, s2, c, keep): seedrandom's Alea generator from
 * the given state (the JavaScript side hashes the seed), u stored as float32 as tf.randomUniform
 * stores it, mask = ⌊u + keep⌋ / keep in float32 as tf.dropout forms it, y = x·mask. Plain double
 * arithmetic without contraction, so the draws are the JavaScript generator's, bit for bit.
 */
static napi_value dropout(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 10);
  const int64_t n = int_at(&c, 4);
  const float *x = floats_at(&c, 1, n);
  float *y = floats_at(&c, 2, n), *mask = floats_at(&c, 3, n);
  double s0 = number_at(&c, 5), s1 = number_at(&c, 6), s2 = number_at(&c, 7), carry = number_at(&c, 8);
  const float keep = (float)number_at(&c, 9);
  if (!c.ok || !(keep > 0.0f)) return fail(env, "dropout(buffer, X, Y, Mask, n, s0, s1, s2, c, keep > 0): bad arguments or a run past its tensor's view");
  const float scale = 1.0f / keep;
  for (int64_t i = 0; i < n; i++) {
    const double t = 2091639.0 * s0 + carry * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    carry = (double)(int32_t)t;
    s2 = t - carry;
    const float m = (float)s2 + keep >= 1.0f ? scale : 0.0f;
    mask[i] = m;
    y[i] = x[i] * m;
  }
  return NULL;
}

/*
 * The slope is chosen by a select between constants, not a branch: the signs of activations are
 * not predictable, and a branch kept the loop scalar (1.8 ms instead of 0.1 ms on 358,400
 * activations). x·1 is x, so the numbers are those of the branch.
 */
VECTOR_CLONES static void leaky_loop(const float *restrict x, float *restrict y, int64_t n, float a) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * (x[i] > 0.0f ? 1.0f : a);
}

VECTOR_CLONES static void leaky_grad_loop(const float *restrict dy, const float *restrict x, float *restrict dx, int64_t n, float a) {
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0.0f ? 1.0f : a);
}

/*
 * leakyRelu(buffer, X, Y, n, alpha) and leakyReluGrad(buffer, Dy, X, Dx, n,
 * alpha): y = x > 0 ? x : αx, dx = x > 0 ? dy : α·dy — each one pass.
 */
static napi_value leaky_relu(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 5);
  const int64_t n = int_at(&c, 3);
  const float *x = floats_at(&c, 1, n);
  float *y = floats_at(&c, 2, n);
  const double alpha = number_at(&c, 4);
  if (!c.ok) return fail(env, "leakyRelu(buffer, X, Y, n, alpha): bad arguments or a run past its tensor's view");
  leaky_loop(x, y, n, (float)alpha);
  return NULL;
}

static napi_value leaky_relu_grad(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 6);
  const int64_t n = int_at(&c, 4);
  const float *dy = floats_at(&c, 1, n), *x = floats_at(&c, 2, n);
  float *dx = floats_at(&c, 3, n);
  const double alpha = number_at(&c, 5);
  if (!c.ok) return fail(env, "leakyReluGrad(buffer, Dy, X, Dx, n, alpha): bad arguments or a run past its tensor's view");
  leaky_grad_loop(dy, x, dx, n, (float)alpha);
  return NULL;
}


/*
 * Batch normalisation's passes over a channel-last tensor (rows of C channels) run over blocks of
 * 8 rows seen as one flat run of 8·C lanes, so every inner loop is contiguous and vectorises
 * whatever C is (CRNet's 2 or 7 channels kept the per-channel loops scalar: 1–4 ns an element).
 * Sums go in float lanes over BN_BLOCK rows, then into double per channel.
 */
#define BN_BLOCK 512

/* Per column of a [rows, C] float32: Σ over rows of f(x) for f = identity (mode 0) or (x − centre)² (mode 1), in double. */
VECTOR_CLONES static void bn_sums(const float *restrict x, int64_t rows, int64_t C, const float *restrict centre, double *restrict out, float *restrict lane, float *restrict centreLane, int mode) {
  const int64_t W = 8 * C;
  for (int64_t j = 0; j < W; j++) centreLane[j] = mode ? centre[j % C] : 0.0f;
  for (int64_t c = 0; c < C; c++) out[c] = 0;
  int64_t r = 0;
  while (r + 8 <= rows) {
    const int64_t end = r + BN_BLOCK < rows ? r + BN_BLOCK : rows;
    for (int64_t j = 0; j < W; j++) lane[j] = 0;
    for (; r + 8 <= end; r += 8) {
      const float *v = x + r * C;
      for (int64_t j = 0; j < W; j++) {
        const float d = v[j] - centreLane[j];
        lane[j] += mode ? d * d : d;
      }
    }
    for (int64_t j = 0; j < W; j++) out[j % C] += lane[j];
  }
  for (; r < rows; r++)
    for (int64_t c = 0; c < C; c++) {
      const double d = (double)x[r * C + c] - (mode ? centre[c] : 0.0f);
      out[c] += mode ? d * d : d;
    }
}

/* Per channel: Σ over rows of u·(v − m), float lanes over blocks, double across them. */
VECTOR_CLONES static void bn_dot(const float *restrict u, const float *restrict v, int64_t rows, int64_t C, const float *restrict m, double *restrict out, float *restrict work) {
  const int64_t W = 8 * C;
  float *lane = work, *lm = work + W;
  for (int64_t j = 0; j < W; j++) lm[j] = m[j % C];
  for (int64_t c = 0; c < C; c++) out[c] = 0;
  int64_t r = 0;
  while (r + 8 <= rows) {
    const int64_t end = r + BN_BLOCK < rows ? r + BN_BLOCK : rows;
    for (int64_t j = 0; j < W; j++) lane[j] = 0;
    for (; r + 8 <= end; r += 8) {
      const float *a = u + r * C, *q = v + r * C;
      for (int64_t j = 0; j < W; j++) lane[j] += a[j] * (q[j] - lm[j]);
    }
    for (int64_t j = 0; j < W; j++) out[j % C] += lane[j];
  }
  for (; r < rows; r++)
    for (int64_t c = 0; c < C; c++) out[c] += (double)u[r * C + c] * ((double)v[r * C + c] - m[c]);
}

/* out = a·u + b·(v − m) + e per channel, over rows (the lanes hold each channel's constants). */
VECTOR_CLONES static void bn_affine(const float *restrict u, const float *restrict v, float *restrict out, int64_t n, int64_t C, const float *restrict a, const float *restrict b, const float *restrict m, const float *restrict e, float *restrict lanes) {
  const int64_t W = 8 * C;
  float *la = lanes, *lb = lanes + W, *lm = lanes + 2 * W, *le = lanes + 3 * W;
  for (int64_t j = 0; j < W; j++) {
    la[j] = a[j % C];
    lb[j] = b[j % C];
    lm[j] = m[j % C];
    le[j] = e[j % C];
  }
  int64_t i = 0;
  for (; i + W <= n; i += W)
    for (int64_t j = 0; j < W; j++) out[i + j] = la[j] * u[i + j] + lb[j] * (v[i + j] - lm[j]) + le[j];
  for (; i < n; i++) {
    const int64_t c = i % C;
    out[i] = a[c] * u[i] + b[c] * (v[i] - m[c]) + e[c];
  }
}

/*
 * bnForward(buffer, X, Gamma, Beta, Y, Mean, Var, rows, C, epsilon): batch
 * normalisation over the rows of a channel-last tensor (N·H·W rows of C): mean, biased variance
 * (two passes, sums in double across blocks), y = (x − mean)·γ/√(var + ε) + β.
 */
static napi_value bn_forward(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 10);
  const int64_t rows = int_at(&c, 7), C = int_at(&c, 8);
  const double eps = number_at(&c, 9);
  const float *x = floats_at(&c, 1, product(rows, C, 1, 1)), *gamma = floats_at(&c, 2, C), *beta = floats_at(&c, 3, C);
  float *y = floats_at(&c, 4, product(rows, C, 1, 1)), *mean = floats_at(&c, 5, C), *var = floats_at(&c, 6, C);
  if (!c.ok || C <= 0) return fail(env, "bnForward(buffer, X, Gamma, Beta, Y, Mean, Var, rows, C > 0, epsilon): bad arguments or a run past its tensor's view");
  double *sum = malloc(sizeof(double) * 2 * C);
  float *work = malloc(sizeof(float) * (4 * 8 * C + 4 * C));
  if (!sum || !work) {
    free(sum);
    free(work);
    return fail(env, "bnForward: out of memory");
  }
  float *scale = work + 4 * 8 * C, *zero = scale + C;
  bn_sums(x, rows, C, NULL, sum, work, work + 8 * C, 0);
  for (int64_t c = 0; c < C; c++) mean[c] = (float)(sum[c] / (double)rows);
  bn_sums(x, rows, C, mean, sum + C, work, work + 8 * C, 1);
  for (int64_t c = 0; c < C; c++) {
    var[c] = (float)(sum[C + c] / (double)rows);
    scale[c] = (float)(gamma[c] / sqrt(sum[C + c] / (double)rows + eps));
    zero[c] = 0.0f;
  }
  // y = 0·x + scale·(x − mean) + β
  bn_affine(x, x, y, rows * C, C, zero, scale, mean, beta, work);
  free(work);
  free(sum);
  return NULL;
}

/*
 * bnBackward(buffer, Dy, X, Gamma, Mean, Var, Dx, Dgamma, Dbeta, rows,
 * C, epsilon): the gradient of batch normalisation with batch statistics — with x̂ = (x − mean)·r,
 * r = 1/√(var + ε): dβ = Σ dy, dγ = Σ dy·x̂ = r·(Σ dy·x − mean·Σ dy), and
 * dx = γ·r/N·(N·dy − Σdy − x̂·Σ(dy·x̂)) = γr·dy − γr²·Σ(dy·x̂)/N·(x − mean) − γr·Σdy/N.
 */
static napi_value bn_backward(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 12);
  const int64_t rows = int_at(&c, 9), C = int_at(&c, 10);
  const double eps = number_at(&c, 11);
  const float *dy = floats_at(&c, 1, product(rows, C, 1, 1)), *x = floats_at(&c, 2, product(rows, C, 1, 1)), *gamma = floats_at(&c, 3, C), *mean = floats_at(&c, 4, C), *var = floats_at(&c, 5, C);
  float *dx = floats_at(&c, 6, product(rows, C, 1, 1)), *dgamma = floats_at(&c, 7, C), *dbeta = floats_at(&c, 8, C);
  if (!c.ok || C <= 0) return fail(env, "bnBackward(buffer, Dy, X, Gamma, Mean, Var, Dx, Dgamma, Dbeta, rows, C > 0, epsilon): bad arguments or a run past its tensor's view");
  double *acc = malloc(sizeof(double) * 2 * C);
  float *work = malloc(sizeof(float) * (4 * 8 * C + 4 * C));
  if (!acc || !work) {
    free(acc);
    free(work);
    return fail(env, "bnBackward: out of memory");
  }
  float *ka = work + 4 * 8 * C, *kb = ka + C, *ke = kb + C;
  bn_sums(dy, rows, C, NULL, acc, work, work + 8 * C, 0);
  bn_dot(dy, x, rows, C, mean, acc + C, work);
  const double n = (double)rows;
  for (int64_t c = 0; c < C; c++) {
    const double r = 1.0 / sqrt((double)var[c] + eps), g = gamma[c];
    const double sxh = r * acc[C + c];
    dgamma[c] = (float)sxh;
    dbeta[c] = (float)acc[c];
    ka[c] = (float)(g * r);
    kb[c] = (float)(-g * r * r * sxh / n);
    ke[c] = (float)(-g * r * acc[c] / n);
  }
  bn_affine(dy, x, dx, rows * C, C, ka, kb, mean, ke, work);
  free(work);
  free(acc);
  return NULL;
}

/* y[r] = Σ_c x[r·cols + c]: 8 float lanes along a row, added in double. */
VECTOR_CLONES static void row_sums(const float *restrict x, float *restrict y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float *v = x + r * cols;
    float lane[8] = {0};
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8)
      for (int k = 0; k < 8; k++) lane[k] += v[c + k];
    double sum = 0;
    for (int k = 0; k < 8; k++) sum += lane[k];
    for (; c < cols; c++) sum += v[c];
    y[r] = (float)sum;
  }
}

/*
 * sum(buffer, X, Y, rows, cols, leading): a float32 [rows, cols] summed over its rows
 * (leading: y has cols entries — a reduction over a tensor's leading axes, e.g. a bias's
 * gradient) or over its columns (y has rows entries — over trailing axes), in float lanes then
 * double. tfjs-wasm's Sum transposes the reduced axes last first.
 */
static napi_value sum_axes(napi_env env, napi_callback_info info) {
  Call c = call_of(env, info, 6);
  const int64_t rows = int_at(&c, 3), cols = int_at(&c, 4);
  const bool leading = bool_at(&c, 5);
  const float *x = floats_at(&c, 1, product(rows, cols, 1, 1));
  float *y = floats_at(&c, 2, leading ? cols : rows);
  if (!c.ok || cols <= 0) return fail(env, "sum(buffer, X, Y, rows, cols > 0, leading): bad arguments or a run past its tensor's view");
  if (!leading) {
    row_sums(x, y, rows, cols);
    return NULL;
  }
  double *total = malloc(sizeof(double) * cols);
  float *work = malloc(sizeof(float) * 16 * cols);
  if (!total || !work) {
    free(total);
    free(work);
    return fail(env, "sum: out of memory");
  }
  bn_sums(x, rows, cols, NULL, total, work, work + 8 * cols, 0);
  for (int64_t k = 0; k < cols; k++) y[k] = (float)total[k];
  free(work);
  free(total);
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "sgemmBatch", NAPI_AUTO_LENGTH, sgemm_batch, NULL, &fn);
  napi_set_named_property(env, exports, "sgemmBatch", fn);
  napi_create_function(env, "bnForward", NAPI_AUTO_LENGTH, bn_forward, NULL, &fn);
  napi_set_named_property(env, exports, "bnForward", fn);
  napi_create_function(env, "bnBackward", NAPI_AUTO_LENGTH, bn_backward, NULL, &fn);
  napi_set_named_property(env, exports, "bnBackward", fn);
  napi_create_function(env, "conv2dBackInput", NAPI_AUTO_LENGTH, conv2d_back_input, NULL, &fn);
  napi_set_named_property(env, exports, "conv2dBackInput", fn);
  napi_create_function(env, "conv2d", NAPI_AUTO_LENGTH, conv2d, NULL, &fn);
  napi_set_named_property(env, exports, "conv2d", fn);
  napi_create_function(env, "conv2dBackFilter", NAPI_AUTO_LENGTH, conv2d_back_filter, NULL, &fn);
  napi_set_named_property(env, exports, "conv2dBackFilter", fn);
  napi_create_function(env, "copyRows", NAPI_AUTO_LENGTH, copy_rows, NULL, &fn);
  napi_set_named_property(env, exports, "copyRows", fn);
  napi_create_function(env, "sum", NAPI_AUTO_LENGTH, sum_axes, NULL, &fn);
  napi_set_named_property(env, exports, "sum", fn);
  napi_create_function(env, "dropout", NAPI_AUTO_LENGTH, dropout, NULL, &fn);
  napi_set_named_property(env, exports, "dropout", fn);
  napi_create_function(env, "leakyRelu", NAPI_AUTO_LENGTH, leaky_relu, NULL, &fn);
  napi_set_named_property(env, exports, "leakyRelu", fn);
  napi_create_function(env, "leakyReluGrad", NAPI_AUTO_LENGTH, leaky_relu_grad, NULL, &fn);
  napi_set_named_property(env, exports, "leakyReluGrad", fn);
  napi_create_function(env, "lsq", NAPI_AUTO_LENGTH, lsq, NULL, &fn);
  napi_set_named_property(env, exports, "lsq", fn);
  napi_create_function(env, "lsqGrad", NAPI_AUTO_LENGTH, lsq_grad, NULL, &fn);
  napi_set_named_property(env, exports, "lsqGrad", fn);
  napi_create_function(env, "adam", NAPI_AUTO_LENGTH, adam, NULL, &fn);
  napi_set_named_property(env, exports, "adam", fn);
  napi_create_function(env, "threads", NAPI_AUTO_LENGTH, threads, NULL, &fn);
  napi_set_named_property(env, exports, "threads", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
