"""Helpers the tests share that are neither fixtures nor tests: fakes and servers they build on."""
