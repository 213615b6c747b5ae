{
  "targets": [
    {
      "target_name": "blas",
      "sources": ["blas.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3"]
    }
  ]
}
