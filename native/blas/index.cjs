// The compiled addon (node-gyp builds it during npm ci where a compiler and OpenBLAS are present).
module.exports = require('./build/Release/blas.node');
