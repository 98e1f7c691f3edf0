import * as chalk from "@pulumi/chalk";

// Every region where users or remote experts join calls; PTC's port option 2 (UDP 443, 3478, 5349).
const regions = ["de1", "ie1"];

const awsEgress = new chalk.ChalkAwsEgress("awsEgress", {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    regions,
    option: 2,
    tags: { team: "network" },
});

const azureEgress = new chalk.ChalkAzureEgress("azureEgress", {
    resourceGroupName: "rg-network",
    location: "westeurope",
    regions,
    option: 2,
});

export const catalogVersion = awsEgress.catalogVersion;
export const awsSecurityGroups = awsEgress.securityGroupIds;
export const azureNsg = azureEgress.nsgName;
export const azureRuleCount = azureEgress.ruleCount;
