package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/peerj/memon/internal/settings"
)

// stackAPI is the part of CloudFormation memon-config reads: the stack's
// outputs (PingUrl for token; all of them for doctor).
type stackAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

var _ stackAPI = (*cloudformation.Client)(nil)

// stackName is the stack that made the events table: the stack names every
// resource by its prefix, and the events table is the prefix itself.
func stackName(g *globals) string { return settings.StackName(g.table) }

// stackOutputs returns the stack's outputs by key.
func stackOutputs(ctx context.Context, api stackAPI, name string) (map[string]string, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return nil, fmt.Errorf("stack %s not found in this account and region: deploy it (make deploy), or pass --table PREFIX for a prefixed stack", name)
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("stack %s not found in this account and region: deploy it (make deploy)", name)
	}
	m := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m, nil
}
