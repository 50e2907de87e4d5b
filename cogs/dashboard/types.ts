// The contract types the package uses, taken from what `cogwheel` exports (BotView,
// PackageScope): derived rather than imported one by one, so that the package needs no more
// of the public surface than a third-party package has.
import type { AdapterView, BotView, PackageScope } from "cogwheel";

export type { AdapterView, BotView, PackageScope };
export type RpcLogger = PackageScope["logger"];
export type CommandInfo = ReturnType<BotView["commands"]>[number];
export type MemberInfo = Parameters<BotView["privilegeOf"]>[0];
export type PrivilegeLevel = Awaited<ReturnType<BotView["privilegeOf"]>>;
export type GuildDetails = NonNullable<Awaited<ReturnType<AdapterView["guildDetails"]>>>;
export type GuildInfo = Awaited<ReturnType<AdapterView["guilds"]>>[number];
export type RoleInfo = GuildDetails["roles"][number];
export type GuildSettings = Awaited<ReturnType<BotView["guildSettings"]["get"]>>;
