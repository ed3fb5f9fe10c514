-- gwauth: removes GWAUTH_SECRET from the request's environment, so that
-- the application (CGI, FastCGI, SCGI) never receives the secret that
-- proves to gwauth that a request comes from lighttpd.
--
-- lighttpd runs this at every pass over the request URL: before the
-- authorizer the variable is not there yet (mod_setenv adds it when the
-- first backend's environment is built), after the authorizer's 200 it is
-- removed, before the request goes on to the application.
-- Used by lighttpd.conf.example (magnet.attract-raw-url-to).
lighty.r.req_env["GWAUTH_SECRET"] = nil
return 0
