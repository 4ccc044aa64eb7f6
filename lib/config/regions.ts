/**
 * Programmatic names of Azure public-cloud regions, as `az account list-locations --query "[].name"` prints them.
 *
 * A typo in `location` would otherwise surface only at `terraform apply`; checking against this list catches it at
 * synth. New regions are added here (one line) when Azure opens them.
 * @see https://learn.microsoft.com/azure/reliability/regions-list
 */
export const AZURE_REGIONS: readonly string[] = [
  "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
  "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia",
  "centralus", "chilecentral", "eastasia", "eastus", "eastus2", "francecentral", "francesouth",
  "germanynorth", "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth", "japaneast",
  "japanwest", "jioindiacentral", "jioindiawest", "koreacentral", "koreasouth", "malaysiawest",
  "mexicocentral", "newzealandnorth", "northcentralus", "northeurope", "norwayeast", "norwaywest",
  "polandcentral", "qatarcentral", "southafricanorth", "southafricawest", "southcentralus", "southeastasia",
  "southindia", "spaincentral", "swedencentral", "swedensouth", "switzerlandnorth", "switzerlandwest",
  "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westindia", "westus",
  "westus2", "westus3",
];
