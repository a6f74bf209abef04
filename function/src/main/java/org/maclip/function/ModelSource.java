package org.maclip.function;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.maclip.scoring.ModelException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where the model bundle comes from: a local path (packaged with the function or in a layer) or
 * {@code s3://bucket/key}, downloaded once into a local cache folder named after the ETags of what
 * it downloads (the zip, or both files under a prefix), so a warm container, or a new one that
 * finds the cache, never downloads it again, and a new upload of any of them is picked up.
 */
public final class ModelSource {
  private static final Logger LOG = Logger.getLogger(ModelSource.class);
  /** The files of an unzipped bundle under an S3 prefix (docs/bundle.md). */
  static final List<String> BUNDLE_FILES = List.of("maclip.json", "visual.onnx");

  private ModelSource() {}

  /** An {@code s3://bucket/key} location. */
  record S3Location(String bucket, String key) {
    static S3Location parse(String location) {
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new ModelException("model location '" + location
            + "' is not s3://bucket/key (a bundle .zip or a prefix holding " + BUNDLE_FILES + ")");
      }
      return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    boolean isZip() {
      return key.endsWith(".zip");
    }
  }

  public static boolean isS3(String location) {
    return location.startsWith("s3://");
  }

  /** The local bundle path for a configured location; downloads from S3 when needed. */
  public static Path resolve(String location, Path cacheDir, S3Client s3) {
    if (location == null || location.isBlank()) {
      throw new ModelException("no model bundle configured: set maclip.model (environment"
          + " MACLIP_MODEL) to a bundle directory, a bundle .zip, or s3://bucket/key");
    }
    if (!isS3(location)) {
      return Path.of(location);
    }
    S3Location where = S3Location.parse(location);
    try {
      return where.isZip() ? fetchZip(where, cacheDir, s3) : fetchPrefix(where, cacheDir, s3);
    } catch (SdkException | IOException e) {
      throw new ModelException("cannot fetch the model bundle " + location + ": "
          + e.getMessage(), e);
    }
  }

  private static Path fetchZip(S3Location where, Path cacheDir, S3Client s3) throws IOException {
    String eTag = eTag(s3, where.bucket(), where.key());
    Path dir = cacheDir.resolve(cacheName(where, List.of(eTag)));
    Path zip = dir.resolve(where.key().substring(where.key().lastIndexOf('/') + 1));
    download(s3, where.bucket(), where.key(), eTag, zip);
    return zip;
  }

  /**
   * Both files, in a folder named after both ETags: a new {@code maclip.json} (prompts, defaults)
   * over the same {@code visual.onnx} is a new bundle too.
   */
  private static Path fetchPrefix(S3Location where, Path cacheDir, S3Client s3)
      throws IOException {
    String prefix = where.key().endsWith("/") ? where.key() : where.key() + "/";
    List<String> eTags = new ArrayList<>();
    for (String file : BUNDLE_FILES) {
      eTags.add(eTag(s3, where.bucket(), prefix + file));
    }
    Path dir = cacheDir.resolve(cacheName(where, eTags));
    for (int i = 0; i < BUNDLE_FILES.size(); i++) {
      String file = BUNDLE_FILES.get(i);
      download(s3, where.bucket(), prefix + file, eTags.get(i), dir.resolve(file));
    }
    return dir;
  }

  /** The object's ETag as S3 gives it (quoted), for the name and to pin the download to. */
  private static String eTag(S3Client s3, String bucket, String key) {
    return s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
  }

  /**
   * One folder per location and content: a new upload of any of its objects (a new ETag) lands
   * beside the old one.
   */
  static String cacheName(S3Location where, List<String> eTags) {
    StringBuilder name = new StringBuilder(where.bucket()).append('_').append(where.key());
    for (String eTag : eTags) {
      name.append('_').append(SourceReader.unquote(eTag));
    }
    return name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * Downloads to a temporary file and moves it in place, so a half file is never used; the
   * download is pinned to the ETag the folder is named after (an object replaced in between is
   * refused, never cached under the old name).
   */
  private static void download(S3Client s3, String bucket, String key, String eTag, Path target)
      throws IOException {
    if (Files.isRegularFile(target)) {
      LOG.infof("Model file s3://%s/%s: cached at %s", bucket, key, target);
      return;
    }
    Files.createDirectories(target.getParent());
    Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    try {
      Files.delete(partial);
      long start = System.nanoTime();
      s3.getObject(b -> b.bucket(bucket).key(key).ifMatch(eTag), partial);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.infof("Model file s3://%s/%s: downloaded to %s in %d ms", bucket, key, target,
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
