"""The benchmark suite: `make bench` measures the product as it runs in production."""
