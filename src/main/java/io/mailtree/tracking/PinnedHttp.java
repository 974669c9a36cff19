package io.mailtree.tracking;

import java.net.Inet6Address;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * POSTs to an address that was checked, never to a second DNS lookup of the host (DNS rebinding):
 * the request goes to the IP literal, with the {@code Host} header of the URL, and for https with an
 * SSL context whose engines are made for the host name, so SNI and certificate checks name the host,
 * not the address. Redirects are never followed. Of the response at most {@code maxBody} bytes are
 * read; the rest is never read (the stream is cancelled). The whole exchange is bounded by the
 * connect timeout plus the read timeout.
 *
 * <p>Setting {@code Host} needs {@code jdk.httpclient.allowRestrictedHeaders=host}, which the JDK
 * reads once, when its HTTP client is first used: Mailtree's main sets it first thing, and this class
 * sets it when loaded if nothing has been set. {@link #hostHeaderAllowed()} says whether it took.
 */
final class PinnedHttp {

    static {
        String restricted = System.getProperty("jdk.httpclient.allowRestrictedHeaders");
        if (restricted == null || restricted.isBlank()) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
    }

    /** What the endpoint answered: its status, at most {@code maxBody} bytes of its body, whether there was more. */
    record Answer(int status, String body, boolean truncated, String location) {

        /** The bytes read of a body. */
        record Body(byte[] bytes, boolean truncated) {
        }
    }

    private static final int TLS_CLIENTS = 64;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxBody;
    private final HttpClient plain;
    /** One client per https host name (its SNI and certificate name), the least recently used dropped past 64. */
    private final Map<String, HttpClient> tls = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HttpClient> eldest) {
            return size() > TLS_CLIENTS;
        }
    };
    private final boolean hostHeaderAllowed;

    PinnedHttp(Duration connectTimeout, Duration readTimeout, int maxBody) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxBody = maxBody;
        this.plain = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
        boolean allowed;
        try {
            HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "probe.invalid");
            allowed = true;
        } catch (IllegalArgumentException restricted) {
            allowed = false;
        }
        this.hostHeaderAllowed = allowed;
    }

    boolean hostHeaderAllowed() {
        return hostHeaderAllowed;
    }

    /** POSTs {@code body} to the target's checked address; throws on a connection failure or a timeout. */
    Answer post(WebhookAddressPolicy.Target target, Map<String, String> headers, byte[] body) throws Exception {
        if (!hostHeaderAllowed) {
            throw new IllegalStateException("this JVM does not let Mailtree set the Host header of a webhook request:"
                    + " start it with -Djdk.httpclient.allowRestrictedHeaders=host");
        }
        String literal = target.address() instanceof Inet6Address ? "[" + target.address().getHostAddress() + "]"
                : target.address().getHostAddress();
        URI uri = target.uri();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        URI pinned = URI.create((target.https() ? "https" : "http") + "://" + literal + ":" + target.port() + path);
        boolean defaultPort = target.port() == (target.https() ? 443 : 80);
        String hostHeader = (target.host().contains(":") ? "[" + target.host() + "]" : target.host())
                + (defaultPort ? "" : ":" + target.port());
        HttpRequest.Builder request = HttpRequest.newBuilder(pinned).timeout(readTimeout).header("Host", hostHeader)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpClient client = target.https() ? tlsClient(target.host()) : plain;
        CompletableFuture<HttpResponse<Answer.Body>> exchange = client.sendAsync(request.build(),
                info -> new LimitedBody(maxBody));
        try {
            HttpResponse<Answer.Body> response = exchange.get(connectTimeout.plus(readTimeout).toMillis(),
                    TimeUnit.MILLISECONDS);
            Answer.Body read = response.body();
            return new Answer(response.statusCode(), new String(read.bytes(), StandardCharsets.UTF_8), read.truncated(),
                    response.headers().firstValue("Location").orElse(null));
        } catch (TimeoutException slow) {
            exchange.cancel(true);
            throw new java.net.http.HttpTimeoutException("no complete answer within "
                    + connectTimeout.plus(readTimeout).toSeconds() + " s");
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw failed;
        }
    }

    private synchronized HttpClient tlsClient(String host) {
        return tls.computeIfAbsent(host, name -> {
            SSLParameters parameters = new SSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(name)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1).sslContext(HostNamedSslContext.of(name))
                    .sslParameters(parameters).build();
        });
    }

    /** Collects at most {@code limit} bytes of a body, then cancels the rest unread. */
    static final class LimitedBody implements HttpResponse.BodySubscriber<Answer.Body> {
        private final int limit;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final CompletableFuture<Answer.Body> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<Answer.Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int room = limit - bytes.size();
                int take = Math.min(room, buffer.remaining());
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                bytes.write(chunk, 0, take);
                if (buffer.hasRemaining()) {
                    subscription.cancel();
                    result.complete(new Answer.Body(bytes.toByteArray(), true));
                    return;
                }
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(new Answer.Body(bytes.toByteArray(), false));
        }
    }

    /**
     * The JDK's default SSL context, except that every client engine is made for {@code host}: the
     * request URI names an IP literal, and without this the handshake would verify the certificate
     * against that address.
     */
    static final class HostNamedSslContext extends SSLContext {

        private HostNamedSslContext(SSLContextSpi spi, SSLContext delegate) {
            super(spi, delegate.getProvider(), delegate.getProtocol());
        }

        static SSLContext of(String host) {
            try {
                SSLContext delegate = SSLContext.getDefault();
                return new HostNamedSslContext(new Spi(delegate, host), delegate);
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        private static final class Spi extends SSLContextSpi {
            private final SSLContext delegate;
            private final String host;

            Spi(SSLContext delegate, String host) {
                this.delegate = delegate;
                this.host = host;
            }

            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
                throw new KeyManagementException("already initialised");
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return delegate.getSocketFactory();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return delegate.getServerSocketFactory();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return delegate.createSSLEngine(host, 443);
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String peerHost, int port) {
                return delegate.createSSLEngine(host, port);
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return delegate.getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return delegate.getClientSessionContext();
            }

            @Override
            protected SSLParameters engineGetDefaultSSLParameters() {
                return delegate.getDefaultSSLParameters();
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return delegate.getSupportedSSLParameters();
            }
        }
    }
}
