{
  "targets": [
    {
      "target_name": "blas",
      "sources": ["blas.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3", "-ffp-contract=off"],
      "libraries!": [],
      "link_settings": { "libraries": ["-lm"] }
    }
  ]
}
