namespace Nmsg.Internal;

/// <summary>Opens the files the writers and sinks write, as nmsgtool's <c>open(O_CREAT | O_TRUNC)</c> does.</summary>
internal static class OutputFile
{
    /// <summary>
    /// Creates the file, or truncates it when it exists. A new file is created without a truncate: .NET's
    /// <see cref="FileMode.Create"/> always calls <c>ftruncate(0)</c>, and on ext4 a truncate to zero marks the file
    /// for a flush of every delayed block on close (<c>auto_da_alloc</c>), which made closing a fresh 1.5 GB output
    /// wait 0.8 s for the disk. An existing file still pays it, as it does under nmsgtool.
    /// </summary>
    public static FileStream Create(string path)
    {
        if (!File.Exists(path))
        {
            try
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
            }
            catch (IOException)
            {
                // Made by someone else since the check, or a dangling symbolic link (O_EXCL does not follow it):
                // open it as before, which reports the real problem if there is one.
            }
        }
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }
}
