package org.maclip.function;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which objects are scored: keys under the input prefix with an image suffix, and never a key
 * where the function writes its results (the guard against a function that triggers itself).
 *
 * @param inputPrefix keys must start with this ("" for the whole bucket)
 * @param suffixes accepted endings, lower case
 * @param resultsPrefix where results are written
 * @param resultsBucket the bucket results go to, or null for the source object's own bucket
 */
public record KeyFilter(
    String inputPrefix, List<String> suffixes, String resultsPrefix, String resultsBucket) {

  public KeyFilter {
    suffixes = suffixes.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    if (resultsPrefix.isEmpty() && resultsBucket == null) {
      throw new IllegalArgumentException(
          "maclip.results-prefix is empty and no maclip.results-bucket is set: results would be"
              + " written among the images they score; set one of the two");
    }
  }

  /** Why the object is not scored, or empty when it is. */
  public Optional<String> rejection(String bucket, String key) {
    if (isResultLocation(bucket, key)) {
      return Optional.of("it lies where results are written (" + resultsLocation() + ")");
    }
    if (!key.startsWith(inputPrefix)) {
      return Optional.of("it is not under the input prefix '" + inputPrefix + "'");
    }
    String lower = key.toLowerCase(Locale.ROOT);
    if (suffixes.stream().noneMatch(lower::endsWith)) {
      return Optional.of("its name does not end with one of " + suffixes);
    }
    return Optional.empty();
  }

  /** True where the function's own output lands: those objects are never inputs. */
  public boolean isResultLocation(String bucket, String key) {
    return bucket.equals(resultsBucketFor(bucket)) && key.startsWith(resultsPrefix);
  }

  /** The bucket a result for an object of {@code sourceBucket} goes to. */
  public String resultsBucketFor(String sourceBucket) {
    return resultsBucket == null ? sourceBucket : resultsBucket;
  }

  /** Deterministic: the same source key always gives the same result key (idempotent writes). */
  public String resultKeyFor(String sourceKey) {
    return resultsPrefix + sourceKey + ".json";
  }

  private String resultsLocation() {
    return (resultsBucket == null ? "" : "s3://" + resultsBucket + "/") + resultsPrefix + "*";
  }
}
