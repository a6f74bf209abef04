package org.maclip.function.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Starts moto and the throttling proxy before the function starts, and points the function's S3
 * client at the proxy and its EventBridge client at moto. The tests reach moto directly at {@code test.moto.endpoint} (empty when
 * moto is absent outside CI: the tests then skip).
 */
public class MotoResource implements QuarkusTestResourceLifecycleManager {
  /** Keys containing this get S3's 503 SlowDown from the proxy. */
  public static final String THROTTLED = "slowdown";
  public static final String ENDPOINT_KEY = "test.moto.endpoint";

  /**
   * The tests' clients of the moto server this resource started for a {@code @QuarkusTest}; the
   * test is skipped (an assumption) where moto's server is not installed.
   */
  public static S3Fixture fixture() {
    Optional<String> endpoint = org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getOptionalValue(ENDPOINT_KEY, String.class).filter(e -> !e.isEmpty());
    org.junit.jupiter.api.Assumptions.assumeTrue(endpoint.isPresent(), MotoServer.absentMessage());
    return new S3Fixture(java.net.URI.create(endpoint.get()));
  }

  private MotoServer moto;
  private ThrottlingProxy proxy;

  @Override
  public Map<String, String> start() {
    try {
      Optional<MotoServer> started = MotoServer.start();
      if (started.isEmpty()) {
        return Map.of("maclip.s3.endpoint-override", "http://127.0.0.1:9",
            "maclip.events.endpoint-override", "http://127.0.0.1:9", ENDPOINT_KEY, "");
      }
      moto = started.get();
      proxy = ThrottlingProxy.start(moto.endpoint(), THROTTLED);
      return Map.of("maclip.s3.endpoint-override", proxy.endpoint().toString(),
          "maclip.events.endpoint-override", moto.endpoint().toString(),
          ENDPOINT_KEY, moto.endpoint().toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start moto_server: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting moto_server", e);
    }
  }

  @Override
  public void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (moto != null) {
      try {
        moto.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
