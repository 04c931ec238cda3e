"""The example workspace's inputs, shipped with the package so that `reportgen init` has a sample."""
