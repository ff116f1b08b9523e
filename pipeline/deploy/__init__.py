"""`secpipe deploy`: upload the security team's package to the pipeline's artifact bucket
and create or update the pipeline stack through change sets, each shown before it runs."""
