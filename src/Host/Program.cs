using GpuEnet.Host.Cli;
using GpuEnet.Host.Commands;
using GpuEnet.Host.ModelFile;
using GpuEnet.Kernels.Mpi;

namespace GpuEnet.Host;

/// <summary>Entry point of <c>gpuenet</c>: dispatches to a command and turns every error into one line on stderr.</summary>
public static class Program
{
    /// <summary>The help System.CommandLine writes from the declarations, of the root or of one command.</summary>
    internal static void Help(string[] command, TextWriter to)
    {
        var config = new System.CommandLine.InvocationConfiguration { Output = to, Error = to };
        Cli.Commands.Root.Parse([.. command, "--help"]).Invoke(config);
    }

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            // Asked for, the help is the output; given no command, it explains a usage error and goes to stderr.
            Help([], args.Length == 0 ? Console.Error : Console.Out);
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] is "--version" or "version")
        {
            Console.Out.WriteLine($"gpuenet {typeof(Program).Assembly.GetName().Version?.ToString(3)}");
            return 0;
        }

        if (args[0].StartsWith("[suggest", StringComparison.Ordinal))
        {
            return Completion.Suggest(args);
        }

        string command = args[0];
        var rest = args.Skip(1).ToList();
        if (Cli.Commands.Find(command) is null)
        {
            Console.Error.WriteLine($"gpuenet: unknown command '{command}' (commands: {string.Join(", ", Cli.Commands.Names)}; see 'gpuenet --help').");
            return 2;
        }

        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Help([command], Console.Out);
            return 0;
        }

        // Under mpirun only fit and cv are shared out over the ranks; any other command runs once, on rank 0.
        if (command is not ("fit" or "cv") && MpiComm.Launched && Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK") is { } rank && rank != "0")
        {
            return 0;
        }

        try
        {
            return command switch
            {
                "fit" or "cv" => TrainCommand.Run(command, rest),
                "predict" => PredictCommand.Run(rest),
                "inspect" => InspectCommand.Run(rest),
                "export" => ExportCommand.Run(rest),
                "convert" => ConvertCommand.Run(rest),
                "completion" => Completion.Script(rest),
                _ => DemoCommand.Run(rest),
            };
        }
        catch (CliException e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (ModelFormatException e)
        {
            return Fail(e.Message, 1);
        }
        catch (ArgumentException e)
        {
            // The library's validation messages are sentences; the parameter name .NET appends is not for users.
            return Fail(CliException.SentenceOf(e), 1);
        }
        catch (UnauthorizedAccessException)
        {
            return Fail("permission denied while reading or writing a file named on the command line.", 1);
        }
        catch (OutOfMemoryException)
        {
            return Fail("out of memory: the data (or the batch of problems) does not fit; try --precision float32 or fewer l1_ratio values.", 1);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            return Fail(e.Message, 1);
        }
        catch (Exception e)
        {
            // Never a stack trace: a bug still ends with one line and a non-zero code.
            var cause = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
            string where = cause.TargetSite?.DeclaringType?.Name is { } type ? $" in {type}" : "";
            return Fail($"internal error ({cause.GetType().Name}{where}); please report it with the command line.", 1);
        }
    }

    private static int Fail(string message, int code)
    {
        // Under mpirun a failing rank names itself and ends the whole job: the other ranks may be waiting for it in a
        // collective, and would otherwise hang.
        if (TrainCommand.Mpi is { } mpi)
        {
            Console.Error.WriteLine($"gpuenet: rank {mpi.Rank} of {mpi.Size}: {message.ReplaceLineEndings(" ")}");
            Console.Error.Flush();
            mpi.Abort(code);
            return code;
        }

        Console.Error.WriteLine($"gpuenet: {message.ReplaceLineEndings(" ")}");
        return code;
    }
}
