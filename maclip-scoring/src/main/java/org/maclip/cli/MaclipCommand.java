package org.maclip.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code maclip}: the top command; says what to do when no sub-command is given. */
@Command(
    name = "maclip",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Training-free image quality scores with MA-CLIP, on ONNX Runtime.",
    footer = "Run 'maclip score --help' for the options of scoring.")
final class MaclipCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CliException(
        "give a command: score, report, info or bench (maclip --help lists them)");
  }
}
