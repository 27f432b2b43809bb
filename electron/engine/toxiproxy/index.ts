// Toxiproxy's HTTP API over the lab's fault proxies (see README.md here).
export { labProxyName, ToxiproxyApi, type ProxyJson, type ToxicJson, type ToxiproxyLab } from './toxiproxy-api';
export { MAX_BODY_BYTES, startToxiproxyServer, TOXIPROXY_API_VERSION, type ToxiproxyServer, type ToxiproxyServerOptions } from './toxiproxy-server';
export { ToxiproxyError } from './errors';
