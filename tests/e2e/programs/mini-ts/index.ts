import * as mini from "@pulumi/mini";

const guard = new mini.Guard("guard", { bucketName: "logs", regions: ["eu-central-1", "eu-west-1"], maxAgeDays: 7 });

export const summary = guard.summary;
