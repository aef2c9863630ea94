namespace Recorder.Ledger.Entries;

/// <summary>Who performed an action. Persisted as the strings in <see cref="LedgerActor.KindText"/>; values may only be added.</summary>
public enum LedgerActorKind
{
    /// <summary><c>os-user</c>: the operating-system account that ran the command.</summary>
    OsUser,

    /// <summary><c>service-user</c>: a user the service authenticated.</summary>
    ServiceUser,

    /// <summary><c>system</c>: Recorder itself (e.g. crash recovery).</summary>
    System,
}

/// <summary>The <c>actor</c> of a ledger entry: kind, name and host, as the recording host knows them.</summary>
/// <param name="Kind">What sort of actor.</param>
/// <param name="Name">The account or user name.</param>
/// <param name="Host">The host the action ran on.</param>
public sealed record LedgerActor(LedgerActorKind Kind, string Name, string Host)
{
    /// <summary>The persisted form of <see cref="Kind"/>.</summary>
    public string KindText => KindToText(Kind);

    /// <summary>The OS user running this process, on this host (<see cref="Environment.UserName"/>, <see cref="Environment.MachineName"/>).</summary>
    public static LedgerActor CurrentOsUser() => new(LedgerActorKind.OsUser, Environment.UserName, Environment.MachineName);

    /// <summary>Recorder itself on this host, named <paramref name="component"/>.</summary>
    public static LedgerActor SystemActor(string component = "recorder") => new(LedgerActorKind.System, component, Environment.MachineName);

    /// <summary>The persisted string of a kind.</summary>
    public static string KindToText(LedgerActorKind kind) => kind switch
    {
        LedgerActorKind.OsUser => "os-user",
        LedgerActorKind.ServiceUser => "service-user",
        LedgerActorKind.System => "system",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown actor kind"),
    };

    /// <summary>Parses a persisted kind string; false when unknown.</summary>
    public static bool TryParseKind(string? text, out LedgerActorKind kind)
    {
        switch (text)
        {
            case "os-user":
                kind = LedgerActorKind.OsUser;
                return true;
            case "service-user":
                kind = LedgerActorKind.ServiceUser;
                return true;
            case "system":
                kind = LedgerActorKind.System;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>Checks the fields; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        _ = KindToText(Kind);
        if (string.IsNullOrEmpty(Name) || Name.Length > 256)
        {
            throw new ArgumentException("actor name must be 1 to 256 characters", nameof(Name));
        }

        if (string.IsNullOrEmpty(Host) || Host.Length > 256)
        {
            throw new ArgumentException("actor host must be 1 to 256 characters", nameof(Host));
        }
    }
}
