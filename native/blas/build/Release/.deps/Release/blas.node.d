cmd_Release/blas.node := ln -f "Release/obj.target/blas.node" "Release/blas.node" 2>/dev/null || (rm -rf "Release/blas.node" && cp -af "Release/obj.target/blas.node" "Release/blas.node")
