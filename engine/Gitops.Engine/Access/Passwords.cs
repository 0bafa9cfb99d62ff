using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Gitops.Engine.Access;

/// <summary>
/// Argon2id password hashes in the PHC string format, at OWASP's minimum: 19 MiB of memory,
/// 2 iterations, 1 lane. The parameters travel in the string, so they can be raised later.
/// </summary>
public static class Passwords
{
    private const int MemoryKib = 19 * 1024;
    private const int Iterations = 2;
    private const int Lanes = 1;

    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Derive(password, salt, MemoryKib, Iterations, Lanes);
        return string.Create(CultureInfo.InvariantCulture, $"$argon2id$v=19$m={MemoryKib},t={Iterations},p={Lanes}${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}");
    }

    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(encoded);
        var parts = encoded.Split('$');
        if (password.Length == 0 || parts.Length != 6 || parts[1] != "argon2id") // Argon2 refuses an empty input by throwing
        {
            return false;
        }

        var parameters = parts[3].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        var salt = Convert.FromBase64String(Pad(parts[4]));
        var expected = Convert.FromBase64String(Pad(parts[5]));
        var actual = Derive(password, salt, parameters["m"], parameters["t"], parameters["p"]);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static byte[] Derive(string password, byte[] salt, int memoryKib, int iterations, int lanes)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password)) { Salt = salt, MemorySize = memoryKib, Iterations = iterations, DegreeOfParallelism = lanes };
        return argon.GetBytes(32);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
}
