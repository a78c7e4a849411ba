namespace Nmsg.Fuzz;

/// <summary>
/// Runs the target on files without libFuzzer: crash reproducers, a corpus directory, or (with
/// <c>--every-chunking</c>) each file under every value of the control byte, prepended. With
/// <c>--mutate N [--seed S]</c>, a naive mutation loop over the files instead (no coverage guidance; a smoke test
/// where libFuzzer is not installed); an input that fails is written to <c>crash-*.bin</c> in the current folder.
/// </summary>
internal static class Replay
{
    public static int Run(string[] args)
    {
        int mutateAt = Array.IndexOf(args, "--mutate");
        if (mutateAt >= 0)
        {
            int seedAt = Array.IndexOf(args, "--seed");
            int seed = seedAt >= 0 ? int.Parse(args[seedAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            var options = new HashSet<int> { mutateAt, mutateAt + 1 };
            if (seedAt >= 0)
                options.UnionWith([seedAt, seedAt + 1]);
            string[] corpus = [.. args.Where((_, i) => !options.Contains(i))];
            return Mutate(corpus, int.Parse(args[mutateAt + 1], System.Globalization.CultureInfo.InvariantCulture), seed);
        }
        bool everyChunking = args.Contains("--every-chunking");
        int files = 0, runs = 0;
        foreach (string arg in args.Where(a => a != "--every-chunking"))
        {
            IEnumerable<string> paths = Directory.Exists(arg)
                ? Directory.EnumerateFiles(arg, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : [arg];
            foreach (string path in paths)
            {
                byte[] bytes = File.ReadAllBytes(path);
                files++;
                try
                {
                    if (everyChunking)
                    {
                        byte[] input = new byte[bytes.Length + 1];
                        bytes.CopyTo(input, 1);
                        for (int control = 0; control < 256; control++)
                        {
                            input[0] = (byte)control;
                            WireTarget.Run(input);
                            runs++;
                        }
                    }
                    else
                    {
                        WireTarget.Run(bytes);
                        runs++;
                    }
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"BUG on {path}: {e}");
                    return 1;
                }
            }
        }
        Console.WriteLine($"{files} files, {runs} runs, no unexpected exception");
        return 0;
    }

    private static int Mutate(string[] corpusArgs, int iterations, int seed)
    {
        List<byte[]> corpus = [.. corpusArgs
            .SelectMany(a => Directory.Exists(a) ? (IEnumerable<string>)Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [a])
            .Select(File.ReadAllBytes)];
        if (corpus.Count == 0)
        {
            Console.Error.WriteLine("no corpus files");
            return 2;
        }
        var random = new Random(seed);
        for (int i = 0; i < iterations; i++)
        {
            var input = new List<byte>(corpus[random.Next(corpus.Count)]);
            int mutations = 1 + random.Next(4);
            for (int m = 0; m < mutations; m++)
                MutateOnce(input, corpus, random);
            input.Insert(0, (byte)random.Next(256));
            byte[] bytes = [.. input];
            try
            {
                WireTarget.Run(bytes);
            }
            catch (Exception e)
            {
                string path = $"crash-{seed}-{i}.bin";
                File.WriteAllBytes(path, bytes);
                Console.Error.WriteLine($"BUG at iteration {i} (input saved to {path}): {e}");
                return 1;
            }
        }
        Console.WriteLine($"{iterations} mutated inputs (seed {seed}), no unexpected exception");
        return 0;
    }

    private static void MutateOnce(List<byte> input, List<byte[]> corpus, Random random)
    {
        byte[] interesting = [0x00, 0x01, 0x02, 0x03, 0x7F, 0x80, 0x81, 0xFF, 0x0A, 0x10, 0x18, 0x20, 0x22, 0x2A];
        int at = input.Count == 0 ? 0 : random.Next(input.Count);
        switch (random.Next(8))
        {
            case 0 when input.Count > 0:
                input[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when input.Count > 0:
                input[at] = interesting[random.Next(interesting.Length)];
                break;
            case 2:
                input.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                break;
            case 3 when input.Count > 0:
                input.RemoveRange(at, Math.Min(input.Count - at, 1 + random.Next(64)));
                break;
            case 4 when input.Count > 0:
                input.RemoveRange(at, input.Count - at); // truncate
                break;
            case 5 when input.Count > 0:
                int len = Math.Min(input.Count - at, 1 + random.Next(256));
                input.InsertRange(random.Next(input.Count + 1), input.GetRange(at, len)); // duplicate a range
                break;
            case 6:
                byte[] other = corpus[random.Next(corpus.Count)]; // splice another file in
                int from = other.Length == 0 ? 0 : random.Next(other.Length);
                input.InsertRange(at, other.Skip(from).Take(1 + random.Next(4096)));
                break;
            default:
                if (input.Count >= 4) // overwrite a 32-bit big-endian length-like field
                {
                    at = random.Next(input.Count - 3);
                    uint v = (uint)random.Next(0, 5) switch { 0 => 0u, 1 => 0xFFFFFFFFu, 2 => 0x7FFFFFFFu, 3 => (uint)random.Next(0, 70000), _ => (uint)random.Next() };
                    for (int k = 0; k < 4; k++)
                        input[at + k] = (byte)(v >> (24 - 8 * k));
                }
                break;
        }
    }
}
