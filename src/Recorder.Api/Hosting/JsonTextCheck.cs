using System.Globalization;
using System.Text.Json;

namespace Recorder.Api.Hosting;

/// <summary>
/// Walks a parsed JSON body once and names every member that cannot be read as intended: a name
/// that occurs twice in one object (RFC 8259 section 4 leaves the meaning open, and readers
/// disagree on which one wins: the ledger could record one value while another is used), and a
/// string or name whose escapes make an unpaired UTF-16 surrogate (<c>"\ud800"</c>), which is not
/// text and cannot be written to the ledger as UTF-8.
/// </summary>
internal static class JsonTextCheck
{
    /// <summary>Adds a field error for every problem under <paramref name="element"/>, whose path is <paramref name="path"/> (empty for the body).</summary>
    public static void Check(JsonElement element, string path, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    if (!TryRead(() => member.Name, out var name))
                    {
                        errors.Add(new FieldError(Field(path, "(name)"), "a member name holds an unpaired surrogate escape: not valid Unicode"));
                        continue;
                    }

                    var field = Field(path, name);
                    if (!names.Add(name))
                    {
                        errors.Add(new FieldError(field, "appears more than once in the object"));
                    }

                    Check(member.Value, field, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, string.Create(CultureInfo.InvariantCulture, $"{(path.Length == 0 ? "(body)" : path)}[{index++}]"), errors);
                }

                break;
            case JsonValueKind.String:
                if (!TryRead(element.GetString, out _))
                {
                    errors.Add(new FieldError(path.Length == 0 ? "(body)" : path, "holds an unpaired surrogate escape: not valid Unicode"));
                }

                break;
            default:
                break;
        }
    }

    private static string Field(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static bool TryRead(Func<string?> read, out string value)
    {
        try
        {
            value = read() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json's way of saying the escapes decode to invalid UTF-16.
            value = string.Empty;
            return false;
        }
    }
}
