using System.Diagnostics;
using Recorder.Storage.Store;
using Recorder.TestSupport;

namespace Recorder.Cli.Tests.Crash;

/// <summary>
/// Imports into a store on a small tmpfs with only so many bytes left: each either succeeds or fails
/// with one clear line and a non-zero exit, leaves no temporary file, and leaves a store that
/// verifies once space is freed (what a crash or a full disk left is completed or cleaned up then).
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TempDirectory _directory = new("recorder-disk-full");

    [SkippableFact]
    public void Import_WithTheDiskFullingUpAtEveryStage_FailsCleanly_AndTheStoreVerifiesOnceThereIsSpace()
    {
        Skip.If(Environment.UserName != "root" && !IsRoot(), "mounting a tmpfs needs root");
        var mountPoint = _directory.File("tmpfs");
        Directory.CreateDirectory(mountPoint);
        var mount = RunTool("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mountPoint);
        Skip.If(mount.ExitCode != 0, $"cannot mount a tmpfs here (exit {mount.ExitCode}: {mount.Error.Trim()})");
        try
        {
            var store = Path.Combine(mountPoint, "store");
            var (input, _) = Cli.Sample(_directory, packets: 400, seed: 51);
            var (warmUp, _) = Cli.Sample(_directory, packets: 100, seed: 52);
            var created = Cli.Run("--store", store, "import", warmUp);
            Assert.True(created.ExitCode == 0, created.ToString());
            var filler = Path.Combine(mountPoint, "filler");
            var size = new FileInfo(input).Length;
            var failures = new List<string>();
            var succeeded = false;

            // Spare space from less than the input up to plenty: the import runs out in the copy,
            // the seal, the index or the ledger; a tmpfs allocates whole pages, so the steps double.
            for (var extra = -4096L; !succeeded && extra <= 32L * 1024 * 1024; extra = extra <= 0 ? extra + 4096 : extra * 2)
            {
                LeaveFree(mountPoint, filler, size + extra);
                var import = Cli.Run("--store", store, "import", input);
                var leftovers = Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
                    .Where(f => DurableFile.IsTemporary(Path.GetFileName(f))).ToList();
                File.Delete(filler);

                Assert.True(leftovers.Count == 0, $"{size + extra} bytes free: temporary files left: {string.Join(", ", leftovers)}\n{import}");
                if (import.ExitCode == 0)
                {
                    succeeded = true;
                }
                else if (import.ExitCode == 2 && import.Error.Contains("the store already holds it", StringComparison.Ordinal))
                {
                    // An earlier attempt failed while sealing and left its staged packets for
                    // recovery, which sealed them on this open: the input is held whole, so importing
                    // it again is refused as a duplicate. Held whole means every packet is there.
                    var stats = Cli.Run("--store", store, "stats", "--json");
                    Assert.True(stats.ExitCode == 0, stats.ToString());
                    Assert.Equal(500, stats.Json["packets"]!.GetValue<long>());
                    succeeded = true;
                }
                else
                {
                    Assert.True(import.ExitCode == 1, import.ToString());
                    var line = Assert.Single(import.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    Assert.StartsWith("recorder import: ", line, StringComparison.Ordinal);
                    failures.Add($"{size + extra}: {line}");
                }

                var verify = Cli.Run("--store", store, "verify");
                Assert.True(verify.ExitCode == 0, $"after an import with {size + extra} bytes free ({import.Error.Trim()}): {verify}");
            }

            Assert.True(succeeded, "the import never succeeded: " + string.Join("\n", failures));
            Assert.True(failures.Count > 0, "the disk never filled up");
        }
        finally
        {
            RunTool("umount", "-l", mountPoint);
        }
    }

    private static void LeaveFree(string mountPoint, string filler, long bytes)
    {
        var available = new DriveInfo(mountPoint).AvailableFreeSpace;
        var size = Math.Max(0, available - bytes);

        // Preallocation (fallocate) takes the pages for real; a sparse file would take nothing.
        using var stream = new FileStream(filler, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, PreallocationSize = size,
        });
        stream.SetLength(size);
    }

    private static bool IsRoot() => RunTool("id", "-u").Output.Trim() == "0";

    private static CliResult RunTool(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return new CliResult(process.ExitCode, output, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CliResult(127, string.Empty, e.Message);
        }
    }

    public void Dispose() => _directory.Dispose();
}
