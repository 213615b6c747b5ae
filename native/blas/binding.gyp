{
  "targets": [
    {
      "target_name": "blas",
      "sources": ["blas.c", "direct.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-pthread"],
      "link_settings": { "libraries": ["-lopenblas", "-lm", "-pthread"] }
    }
  ]
}
