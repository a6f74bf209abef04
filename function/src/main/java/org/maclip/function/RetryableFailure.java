package org.maclip.function;

/**
 * Thrown out of a direct (non-SQS) invocation when an object failed for a reason that may pass
 * (S3 errors, throttling), so that Lambda's asynchronous retries run it again.
 */
public class RetryableFailure extends RuntimeException {
  public RetryableFailure(String message) {
    super(message);
  }
}
