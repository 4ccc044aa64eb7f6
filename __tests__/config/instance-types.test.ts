import { clockMinutes, daysOf, plannedRecurrences, schedulesOverlap } from "../../lib/config/autoscale";
import { closestName, deploymentCores, INSTANCE_TYPES, instanceType, knownFamily, QUOTA_FAMILIES } from "../../lib/config/instance-types";
import { windowsTimeZone } from "../../lib/config/time-zones";

describe("the SKU table", () => {
  test("every size is listed once, upper case, with whole vCPUs and memory", () => {
    const names = INSTANCE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of INSTANCE_TYPES) {
      expect(t.name).toBe(t.name.toUpperCase());
      expect(Number.isInteger(t.vCpus) && t.vCpus > 0).toBe(true);
      expect(t.memoryGiB).toBeGreaterThan(0);
    }
  });

  test("rows as Microsoft's SKU list gives them", () => {
    expect(instanceType("Standard_DS3_v2")).toEqual({ name: "STANDARD_DS3_V2", family: "standardDSv2Family", vCpus: 4, memoryGiB: 14, gpus: 0, upgradeReserve: true, onlineEndpoint: true });
    expect(instanceType("standard_nc24ads_a100_v4")).toMatchObject({ family: "standardNCADSA100v4Family", vCpus: 24, gpus: 1, upgradeReserve: false });
    expect(instanceType("Standard_NC4as_T4_v3")).toMatchObject({ family: "standardNCASv3_T4Family", vCpus: 4, gpus: 1, upgradeReserve: true });
    expect(instanceType("STANDARD_ND96ISR_H100_V5")).toMatchObject({ family: "standardNDv5H100Family", gpus: 8, upgradeReserve: false });
    expect(instanceType("Standard_NV6ads_A10_v5")?.gpus).toBeCloseTo(1 / 6);
    expect(instanceType("STANDARD_D2_V2")).toMatchObject({ family: "standardDv2Family", vCpus: 2, onlineEndpoint: false });
    expect(instanceType("Standard_Z9")).toBeUndefined();
  });

  test("the sizes exempt from the 20 % reserve are exactly those marked Skip 20% Reservation", () => {
    expect(INSTANCE_TYPES.filter((t) => t.onlineEndpoint && !t.upgradeReserve).map((t) => t.name)).toEqual([
      "STANDARD_NC24ADS_A100_V4", "STANDARD_NC48ADS_A100_V4", "STANDARD_NC96ADS_A100_V4",
      "STANDARD_NC40ADS_H100_V5", "STANDARD_NC80ADIS_H100_V5",
      "STANDARD_ND96AMSR_A100_V4", "STANDARD_ND96ASR_V4", "STANDARD_ND40RS_V2",
      "STANDARD_ND96IS_H100_V5", "STANDARD_ND96ISR_H100_V5",
    ]);
  });

  test.each([
    [1, 2, 8], // ceil(1.2) = 2
    [3, 4, 16], // ceil(3.6) = 4
    [5, 6, 24], // 1.2 × 5 is 6, not 6.000000000000001 rounded up to 7
    [10, 12, 48],
    [50, 60, 240],
  ])("a deployment of %p Standard_DS3_v2 instances holds ceil(1.2 × N) = %p instances of quota, %p cores", (n, reserved, cores) => {
    expect(deploymentCores(instanceType("Standard_DS3_v2")!, n)).toBe(cores);
    expect(cores / 4).toBe(reserved);
  });

  test("a size exempt from the reserve holds N × vCPUs", () => {
    expect(deploymentCores(instanceType("Standard_NC24ads_A100_v4")!, 3)).toBe(72);
  });

  test("quota families match ignoring case and spaces; did-you-mean finds typos only", () => {
    expect(knownFamily("Standard NCASv3_T4 Family")).toBe("standardNCASv3_T4Family");
    expect(knownFamily("STANDARDDSV2FAMILY")).toBe("standardDSv2Family");
    expect(knownFamily("lowprioritycores")).toBe("lowPriorityCores");
    expect(knownFamily("standardXYZFamily")).toBeUndefined();
    expect(QUOTA_FAMILIES).toContain("standardFSv2Family");
    expect(closestName("Standard_F8sv2", INSTANCE_TYPES.map((t) => t.name))).toBe("STANDARD_F8S_V2");
    expect(closestName("Standard_Banana", INSTANCE_TYPES.map((t) => t.name))).toBeUndefined();
  });
});

describe("time zones", () => {
  test("Windows names as Azure takes them, any casing; IANA names mapped; anything else refused", () => {
    expect(windowsTimeZone("W. Europe Standard Time")).toBe("W. Europe Standard Time");
    expect(windowsTimeZone("pacific standard time")).toBe("Pacific Standard Time");
    expect(windowsTimeZone("Europe/Berlin")).toBe("W. Europe Standard Time");
    expect(windowsTimeZone("America/New_York")).toBe("Eastern Standard Time");
    expect(windowsTimeZone("Asia/Kolkata")).toBe("India Standard Time");
    expect(windowsTimeZone("UTC")).toBe("UTC");
    expect(windowsTimeZone("CET")).toBeUndefined();
    expect(windowsTimeZone("Europe/Atlantis")).toBeUndefined();
  });
});

describe("schedules", () => {
  const s = (name: string, days: string[], start: string, end: string) => ({
    name,
    days: days.flatMap((d) => daysOf(d)!),
    startMinute: clockMinutes(start)!,
    endMinute: clockMinutes(end)!,
  });

  test("days: names, three-letter names and groups", () => {
    expect(daysOf("weekdays")).toEqual(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
    expect(daysOf("WEEKEND")).toEqual(["Saturday", "Sunday"]);
    expect(daysOf("thu")).toEqual(["Thursday"]);
    expect(daysOf("Tues")).toBeUndefined();
    expect(clockMinutes("23:59")).toBe(1439);
    expect(clockMinutes("24:00")).toBeUndefined();
    expect(clockMinutes("7:30")).toBeUndefined();
  });

  test("overlaps, also across midnight and across the end of the week; touching is not overlapping", () => {
    expect(schedulesOverlap(s("a", ["mon"], "08:00", "12:00"), s("b", ["mon"], "11:59", "13:00"))).toBe(true);
    expect(schedulesOverlap(s("a", ["mon"], "08:00", "12:00"), s("b", ["mon"], "12:00", "13:00"))).toBe(false);
    expect(schedulesOverlap(s("a", ["mon"], "08:00", "12:00"), s("b", ["tue"], "08:00", "12:00"))).toBe(false);
    expect(schedulesOverlap(s("night", ["sun"], "22:00", "02:00"), s("early", ["mon"], "01:00", "03:00"))).toBe(true);
    expect(schedulesOverlap(s("night", ["sat"], "22:00", "02:00"), s("early", ["mon"], "01:00", "03:00"))).toBe(false);
  });

  test("each schedule is a start and an end profile; an overnight one ends the next day; an end where another starts is left out", () => {
    expect(plannedRecurrences([s("late", ["fri", "sun"], "20:00", "03:15")])).toEqual([
      { schedule: "late", kind: "start", days: ["Friday", "Sunday"], hour: 20, minute: 0 },
      { schedule: "late", kind: "end", days: ["Monday", "Saturday"], hour: 3, minute: 15 },
    ]);
    const morning = s("morning", ["weekdays"], "06:00", "12:00");
    const afternoon = s("afternoon", ["mon", "tue"], "12:00", "18:00");
    expect(plannedRecurrences([morning, afternoon])).toEqual([
      { schedule: "morning", kind: "start", days: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], hour: 6, minute: 0 },
      { schedule: "morning", kind: "end", days: ["Wednesday", "Thursday", "Friday"], hour: 12, minute: 0 },
      { schedule: "afternoon", kind: "start", days: ["Monday", "Tuesday"], hour: 12, minute: 0 },
      { schedule: "afternoon", kind: "end", days: ["Monday", "Tuesday"], hour: 18, minute: 0 },
    ]);
  });
});
