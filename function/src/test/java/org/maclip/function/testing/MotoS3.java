package org.maclip.function.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * moto's server on loopback with some buckets made, for the tests of one class: {@code
 * @RegisterExtension static final MotoS3 MOTO = MotoS3.withBuckets("models");}, then {@link
 * #aws()} in each test.
 */
public final class MotoS3 implements BeforeAllCallback, AfterAllCallback {
  private final String[] buckets;
  private MotoServer moto;
  private S3Fixture aws;

  private MotoS3(String[] buckets) {
    this.buckets = buckets.clone();
  }

  /** moto with {@code buckets} made, started before the class's first test. */
  public static MotoS3 withBuckets(String... buckets) {
    return new MotoS3(buckets);
  }

  /** The tests' clients of moto; the test is skipped where moto's server is not installed. */
  public S3Fixture aws() {
    assumeTrue(aws != null, MotoServer.absentMessage());
    return aws;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Optional<MotoServer> started = MotoServer.start();
    if (started.isEmpty()) {
      return;
    }
    moto = started.get();
    aws = new S3Fixture(moto.endpoint());
    for (String bucket : buckets) {
      aws.s3.createBucket(b -> b.bucket(bucket));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (aws != null) {
      aws.close();
    }
    if (moto != null) {
      moto.close();
    }
  }
}
