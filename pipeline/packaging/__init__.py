"""`secpipe package`: what the AWS pipeline installs and deploys, built reproducibly
(same inputs, same bytes): the secpipe wheel, the Lambda zip and the buildspecs, with a
manifest of their sha256 digests that `secpipe deploy` pins the stacks to."""
