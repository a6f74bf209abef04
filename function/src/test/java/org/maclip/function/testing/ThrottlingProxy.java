package org.maclip.function.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of the S3 server that answers S3's own throttling error (503
 * SlowDown) to every request whose path contains a marker, and forwards all others unchanged: a
 * transient failure for one object, as real S3 gives under load.
 */
public final class ThrottlingProxy implements AutoCloseable {
  private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length",
      "expect", "upgrade", "transfer-encoding", "keep-alive", "date");
  private static final byte[] SLOW_DOWN = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      + "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
      + "<RequestId>throttling-proxy</RequestId></Error>").getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .build();
  private final String target;
  private final String marker;

  private ThrottlingProxy(URI target, String marker) throws IOException {
    this.target = target.toString().replaceAll("/$", "");
    this.marker = marker;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static ThrottlingProxy start(URI target, String marker) throws IOException {
    return new ThrottlingProxy(target, marker);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      if (exchange.getRequestURI().getPath().contains(marker)) {
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        send(exchange, 503, head ? new byte[0] : SLOW_DOWN, head);
        return;
      }
      HttpResponse<byte[]> response = forward(exchange);
      for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
        String name = header.getKey().toLowerCase(Locale.ROOT);
        if (!HOP_HEADERS.contains(name) || (head && name.equals("content-length"))) {
          exchange.getResponseHeaders().put(header.getKey(), header.getValue());
        }
      }
      send(exchange, response.statusCode(), response.body(), head);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange)
      throws IOException, InterruptedException {
    URI uri = exchange.getRequestURI();
    String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    byte[] body = exchange.getRequestBody().readAllBytes();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
        .method(exchange.getRequestMethod(), body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      if (!HOP_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        for (String value : header.getValue()) {
          request.header(header.getKey(), value);
        }
      }
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void send(HttpExchange exchange, int status, byte[] body, boolean head)
      throws IOException {
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
