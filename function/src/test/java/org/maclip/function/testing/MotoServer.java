package org.maclip.function.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * moto's S3/SQS server on loopback, started by the tests themselves on a free port, or an
 * already running one named by {@code MOTO_SERVER=http://host:port}. {@code MOTO_SERVER} may also
 * name the {@code moto_server} executable (as {@code .ci/run} sets it); otherwise it is looked for
 * on the PATH. Where it cannot be found the tests are skipped, except under CI ({@code CI}
 * set), where that is an error.
 */
public final class MotoServer implements AutoCloseable {
  public static final String INSTALL = "pip install 'moto[server]>=5,<6'";

  private final URI endpoint;
  private final Process process;

  private MotoServer(URI endpoint, Process process) {
    this.endpoint = endpoint;
    this.process = process;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** A running server, or empty (tests skip) when moto is absent outside CI. */
  public static Optional<MotoServer> start() throws IOException, InterruptedException {
    String configured = System.getenv("MOTO_SERVER");
    if (configured != null && configured.startsWith("http")) {
      URI endpoint = URI.create(configured);
      awaitUp(endpoint, null);
      return Optional.of(new MotoServer(endpoint, null));
    }
    Optional<Path> executable = findExecutable(configured);
    if (executable.isEmpty()) {
      if (System.getenv("CI") != null) {
        throw new IllegalStateException(absentMessage() + "; CI must install it");
      }
      return Optional.empty();
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("moto-", ".log");
    Process process = new ProcessBuilder(
            executable.get().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    try {
      awaitUp(endpoint, process);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw new IOException(e.getMessage() + " (its log: " + log + ")", e);
    }
    return Optional.of(new MotoServer(endpoint, process));
  }

  /** Why the tests that need it are skipped. */
  public static String absentMessage() {
    return "moto_server not found (set MOTO_SERVER to the executable or to http://host:port,"
        + " or install it: " + INSTALL + ")";
  }

  private static Optional<Path> findExecutable(String configured) {
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, "moto_server"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static void awaitUp(URI endpoint, Process process)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ping = HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IOException("moto_server exited with status " + process.exitValue());
      }
      try {
        http.send(ping, HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IOException("moto_server did not answer on " + endpoint + " within 60 s");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
