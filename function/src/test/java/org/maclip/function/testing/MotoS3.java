package org.maclip.function.testing;

import java.util.Optional;

/** moto's server on loopback with some buckets made, and the tests' clients of it. */
public final class MotoS3 implements AutoCloseable {
  private final MotoServer moto;
  public final S3Fixture aws;

  private MotoS3(MotoServer moto, S3Fixture aws) {
    this.moto = moto;
    this.aws = aws;
  }

  /** moto with {@code buckets} made; empty when moto's server is not installed. */
  public static Optional<MotoS3> start(String... buckets) throws Exception {
    Optional<MotoServer> started = MotoServer.start();
    if (started.isEmpty()) {
      return Optional.empty();
    }
    S3Fixture aws = new S3Fixture(started.get().endpoint());
    for (String bucket : buckets) {
      aws.s3.createBucket(b -> b.bucket(bucket));
    }
    return Optional.of(new MotoS3(started.get(), aws));
  }

  @Override
  public void close() throws Exception {
    aws.close();
    moto.close();
  }
}
