/*
 * sgemmBatch(buffer, offsetA, offsetB, offsetC, batchA, batchB, M, N, K, transA, transB):
 * C[i] = op(A[i]) · op(B[i]) for each batch i (a batch of 1 broadcasts), row-major float32
 * matrices at byte offsets of one ArrayBuffer — tfjs-wasm's heap, so nothing is copied.
 * OpenBLAS runs each product on all cores.
 */
#include <cblas.h>
#include <node_api.h>
#include <stdint.h>

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value sgemm_batch(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 11) return fail(env, "sgemmBatch: 11 arguments expected");
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) return fail(env, "sgemmBatch: an ArrayBuffer expected");
  int64_t v[8];
  for (int i = 0; i < 8; i++) {
    if (napi_get_value_int64(env, argv[i + 1], &v[i]) != napi_ok) return fail(env, "sgemmBatch: integers expected");
  }
  bool ta = false, tb = false;
  napi_get_value_bool(env, argv[9], &ta);
  napi_get_value_bool(env, argv[10], &tb);
  const int64_t offA = v[0], offB = v[1], offC = v[2], batchA = v[3], batchB = v[4], M = v[5], N = v[6], K = v[7];
  const int64_t batch = batchA > batchB ? batchA : batchB;
  if (offA < 0 || offB < 0 || offC < 0 || (size_t)(offA + 4 * batchA * M * K) > length || (size_t)(offB + 4 * batchB * K * N) > length || (size_t)(offC + 4 * batch * M * N) > length) {
    return fail(env, "sgemmBatch: a matrix lies outside the buffer");
  }
  float *A = (float *)((char *)data + offA);
  float *B = (float *)((char *)data + offB);
  float *C = (float *)((char *)data + offC);
  for (int64_t i = 0; i < batch; i++) {
    const float *a = A + (batchA == 1 ? 0 : i) * M * K;
    const float *b = B + (batchB == 1 ? 0 : i) * K * N;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f, a, ta ? (int)M : (int)K, b, tb ? (int)K : (int)N, 0.0f, C + i * M * N, (int)N);
  }
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
  napi_create_function(env, "threads", NAPI_AUTO_LENGTH, threads, NULL, &fn);
  napi_set_named_property(env, exports, "threads", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
