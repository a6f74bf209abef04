package org.maclip.function.event;

/**
 * One object named by an event, its key decoded.
 *
 * @param bucket the bucket
 * @param key the decoded object key
 * @param versionId the version the event refers to, or null (unversioned bucket)
 * @param eTag the ETag the event reports, or null
 */
public record ObjectRef(String bucket, String key, String versionId, String eTag) {

  /** The name used in logs, results and errors. */
  public String uri() {
    return "s3://" + bucket + "/" + key;
  }
}
