namespace GpuEnet.Host.Cli;

/// <summary>
/// Shell completion from the command declarations: <c>gpuenet completion bash</c> prints a script that asks
/// <c>gpuenet [suggest:N] "LINE"</c> for the words that complete LINE at cursor position N (System.CommandLine's
/// suggest directive convention), and this class answers that question from <see cref="Commands"/>.
/// </summary>
internal static class Completion
{
    private const string BashScript = """
        # bash completion for gpuenet: source <(gpuenet completion bash)
        _gpuenet_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$(gpuenet "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _gpuenet_complete gpuenet
        """;

    /// <summary><c>gpuenet completion SHELL</c>: prints the script; bash is the one shell supported.</summary>
    public static int Script(IReadOnlyList<string> args)
    {
        if (args is not ["bash"])
        {
            throw new CliException($"'gpuenet completion' needs the shell: bash (got '{string.Join(' ', args)}').", 2);
        }

        Console.Out.WriteLine(BashScript);
        return 0;
    }

    /// <summary>
    /// <c>gpuenet [suggest:N] "gpuenet fit --l1"</c>: one completion per line for the word at cursor position N of the
    /// line (the program's own name, when the line starts with it, is not part of what is parsed).
    /// </summary>
    public static int Suggest(IReadOnlyList<string> args)
    {
        string directive = args[0];
        string line = args.Count > 1 ? args[1] : "";
        int position = line.Length;
        if (directive.StartsWith("[suggest:", StringComparison.Ordinal) && directive.EndsWith(']')
            && int.TryParse(directive.AsSpan(9, directive.Length - 10), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int at))
        {
            position = Math.Clamp(at, 0, line.Length);
        }

        line = line[..position];
        int start = line.TrimStart().StartsWith("gpuenet", StringComparison.Ordinal) ? line.IndexOf("gpuenet", StringComparison.Ordinal) + "gpuenet".Length : 0;
        string rest = line[start..].TrimStart();
        var result = Commands.Root.Parse(rest);
        foreach (var item in result.GetCompletions(rest.Length))
        {
            Console.Out.WriteLine(item.Label);
        }

        return 0;
    }
}
